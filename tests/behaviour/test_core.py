"""Issue 2: pidone as PID 1 forwards, reaps and passes on the exit status."""
import os
import signal

import pytest

from conftest import PYTHON, run, sh, py

HERE = os.path.dirname(os.path.abspath(__file__))
SIGRECORD = [PYTHON, os.path.join(HERE, "helpers", "sigrecord.py")]


@pytest.mark.parametrize("code", [0, 1, 42, 255])
def test_exit_code_of_the_command_is_passed_on(mode, code):
    rc, _, _ = run(mode, sh(f"exit {code}"))
    assert rc == code


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGSEGV])
def test_command_killed_by_signal_gives_128_plus_n(mode, sig):
    rc, _, _ = run(mode, sh(f"kill -{int(sig)} $$"))
    assert rc == 128 + sig


def test_signal_reaches_child_and_grandchild_in_its_group(mode, start):
    init = start(mode, SIGRECORD + ["--grandchild"])
    ready = {init.readline(), init.readline()}
    assert ready == {"child ready", "grandchild ready"}
    init.signal(signal.SIGUSR1)
    got = {init.readline(), init.readline()}
    assert got == {f"child {int(signal.SIGUSR1)}", f"grandchild {int(signal.SIGUSR1)}"}
    init.kill()
