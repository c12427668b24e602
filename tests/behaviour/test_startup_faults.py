"""Issue 8: pidone starts up in a hostile environment (fd 0, 1 or 2 closed,
no environment, a huge argv) and meets commands that cannot run: it exits
125/126/127 with one clear line on stderr, or runs the command, and it never
dies of a signal."""
import os
import signal

import pytest

from conftest import py, run, sh, write_script


def closing(*fds):
    """preexec_fn: start pidone (and unshare) with these fds closed."""
    def close():
        for fd in fds:
            os.close(fd)
    return close


def assert_no_crash(rc):
    # A negative code is death by signal (unshare passes its child's on).
    assert rc >= 0, f"died of {signal.Signals(-rc).name}"


def one_line(err):
    lines = [l for l in err.splitlines() if l.startswith("pidone:")]
    assert len(lines) == 1, err
    return lines[0]


# ---- closed standard fds ----------------------------------------------------

def test_command_runs_with_stdin_closed(mode):
    rc, out, err = run(mode, sh("echo ran; exit 4"), preexec_fn=closing(0))
    assert_no_crash(rc)
    assert (rc, out) == (4, "ran\n"), err


def test_command_runs_with_stdout_closed(mode):
    rc, _, err = run(mode, sh("echo ran >&2; exit 4"), preexec_fn=closing(1))
    assert_no_crash(rc)
    assert (rc, err) == (4, "ran\n")


def test_command_runs_with_stderr_closed(mode):
    rc, out, err = run(mode, sh("echo ran; exit 4"), preexec_fn=closing(2))
    assert_no_crash(rc)
    assert (rc, out) == (4, "ran\n")


def test_command_runs_with_all_three_closed(mode, tmp_path):
    mark = tmp_path / "ran"
    rc, _, _ = run(mode, sh(f"touch {mark}; exit 6"), preexec_fn=closing(0, 1, 2))
    assert_no_crash(rc)
    assert rc == 6
    assert mark.exists()


def test_exec_failure_with_stderr_closed_still_gives_127(mode):
    rc, _, _ = run(mode, ["/nonexistent/command"], preexec_fn=closing(2))
    assert_no_crash(rc)
    assert rc == 127


def test_version_with_stdout_closed_fails_with_125_and_says_why(mode):
    rc, _, err = run(mode, ["--version"], preexec_fn=closing(1))
    assert_no_crash(rc)
    assert rc == 125
    assert one_line(err) == "pidone: write: Bad file descriptor"


# ---- environment and argv ---------------------------------------------------

def test_empty_environment_finds_the_command_on_the_default_path(mode):
    rc, _, err = run(mode, sh("exit 5"), env={})
    assert_no_crash(rc)
    assert rc == 5, err


def test_empty_environment_stays_empty_for_the_command(mode):
    rc, out, err = run(mode, ["env"], env={})
    assert (rc, out) == (0, ""), err


def test_huge_argv_near_arg_max_reaches_the_command_intact(mode):
    arg_max = os.sysconf("SC_ARG_MAX")
    env_bytes = sum(len(k) + len(v) + 2 + 8 for k, v in os.environ.items())
    longest = "L" * (128 * 1024 - 1)  # MAX_ARG_STRLEN - 1: the longest one arg may be
    budget = arg_max - env_bytes - len(longest) - 64 * 1024  # room for unshare, pidone, python
    arg = "a" * 4095
    args = [arg] * (budget // (len(arg) + 1 + 8)) + [longest]
    total = sum(len(a) for a in args)
    script = "import sys; a = sys.argv[1:]; print(len(a), sum(map(len, a)), a[-1] == 'L' * 131071)"
    rc, out, err = run(mode, py(script) + args, timeout=30)
    assert_no_crash(rc)
    assert rc == 0, err[:300]
    assert out == f"{len(args)} {total} True\n"
    assert total > arg_max // 2


# ---- commands that cannot run -----------------------------------------------

def test_command_that_is_a_directory_gives_126(mode, tmp_path):
    rc, _, err = run(mode, [str(tmp_path)])
    assert_no_crash(rc)
    assert rc == 126
    assert one_line(err) == f"pidone: exec {tmp_path}: Permission denied"


def test_command_that_is_a_broken_symlink_gives_127(mode, tmp_path):
    link = tmp_path / "broken"
    link.symlink_to(tmp_path / "nowhere")
    rc, _, err = run(mode, [str(link)])
    assert_no_crash(rc)
    assert rc == 127
    assert one_line(err) == f"pidone: exec {link}: No such file or directory"


def test_command_that_is_not_executable_gives_126(mode, tmp_path):
    script = write_script(tmp_path / "script", "#!/bin/sh\nexit 0\n", 0o644)
    rc, _, err = run(mode, [script])
    assert_no_crash(rc)
    assert rc == 126
    assert one_line(err) == f"pidone: exec {script}: Permission denied"


def test_script_whose_interpreter_is_missing_gives_126(mode, tmp_path):
    script = write_script(tmp_path / "script", "#!/nonexistent/interpreter\nexit 0\n")
    rc, _, err = run(mode, [script])
    assert_no_crash(rc)
    assert rc == 126
    assert one_line(err) == (f"pidone: exec {script}: No such file or directory "
                             "(its interpreter or loader is missing)")


def test_command_in_an_unknown_format_gives_126(mode, tmp_path):
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x7fELF\x01\x02garbage" * 8)
    junk.chmod(0o755)
    rc, _, err = run(mode, [str(junk)])
    assert_no_crash(rc)
    assert rc == 126
    assert one_line(err) == f"pidone: exec {junk}: Exec format error"


def test_command_not_on_path_gives_127(mode):
    rc, _, err = run(mode, ["pidone-no-such-command"])
    assert_no_crash(rc)
    assert rc == 127
    assert one_line(err) == "pidone: exec pidone-no-such-command: No such file or directory"


def test_empty_command_name_gives_127(mode):
    # Like env(1) and the shells: nothing is called "", so it is not found
    # (searching PATH for "" must not run or blame the PATH directories).
    rc, _, err = run(mode, [""])
    assert_no_crash(rc)
    assert rc == 127, err
    assert one_line(err).startswith("pidone: exec : "), err


@pytest.mark.parametrize("slash", ["/", ""], ids=["path", "name"])
def test_very_long_command_name_still_says_why(mode, slash):
    # The reason must survive however long the name is: the line is cut, not
    # the explanation.
    name = slash + "x" * 5000
    rc, _, err = run(mode, [name])
    assert_no_crash(rc)
    # ENAMETOOLONG's text is the libc's: glibc's, or musl's "Filename".
    reasons = ("File name too long", "Filename too long") if slash else ("No such file or directory",)
    assert rc == (126 if slash else 127)
    line = one_line(err)
    assert line.startswith("pidone: exec /xxx" if slash else "pidone: exec xxx")
    assert line.endswith(reasons), line[-80:]
