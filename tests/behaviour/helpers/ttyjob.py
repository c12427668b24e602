"""Commands for the tty tests, each saying on the terminal what it sees.
The lines it prints never appear in its own command line, so a test waiting
for them is not fooled by the terminal echoing what was typed.

  probe         print "probe pgrp=P tpgid=T parent_pgrp=Q": its process
                group, the terminal's foreground group (tcgetpgrp(0)) and its
                parent's process group; exit 0
  probe-sleep   the same, then sleep until killed
  sleep         print "job ready", then exec sleep 30 (default signal actions)
  cat           print "job ready", then exec cat
  count         count SIGINT and SIGQUIT: print "job ready", then "INT n" /
                "QUIT n" as each arrives; on SIGUSR1 print
                "counted INT=a QUIT=b" and exit 0
"""
import os
import signal
import sys


def say(text):
    os.write(1, (text + "\n").encode())


def probe():
    try:
        tpgid = os.tcgetpgrp(0)
    except OSError as e:
        tpgid = f"error:{e.errno}"
    say(f"probe pgrp={os.getpgrp()} tpgid={tpgid} parent_pgrp={os.getpgid(os.getppid())}")


# Python's own SIGINT handler would turn an early Ctrl-C into a traceback.
signal.signal(signal.SIGINT, signal.SIG_DFL)
what = sys.argv[1]
if what == "probe":
    probe()
elif what == "probe-sleep":
    probe()
    while True:
        signal.pause()
elif what in ("sleep", "cat"):
    say("job ready")
    argv = ["sleep", "30"] if what == "sleep" else ["cat"]
    os.execvp(argv[0], argv)
elif what == "count":
    # Python runs its handlers later and once for several deliveries; the
    # wakeup fd gets one byte per delivery, in order: count those.
    r, w = os.pipe()
    os.set_blocking(w, False)
    signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(sig, lambda sig, frame: None)
    counts = {signal.SIGINT: 0, signal.SIGQUIT: 0}
    say("job ready")
    while True:
        for sig in os.read(r, 64):
            if sig == signal.SIGUSR1:
                say(f"counted INT={counts[signal.SIGINT]} QUIT={counts[signal.SIGQUIT]}")
                sys.exit(0)
            if sig in counts:
                counts[sig] += 1
                say(f"{signal.Signals(sig).name[3:]} {counts[sig]}")
else:
    sys.exit(f"ttyjob: unknown command {what}")
