"""--expand-env: ${VAR}, ${VAR:-default} and $$ in the command and its
arguments, from pidone's environment.

Where the shell has the same form, the result must be what `sh -c` gives
for the same string inside double quotes; the forms pidone leaves alone (a
shell would not) are listed with what they stay as.
"""
import os
import subprocess

import pytest

from conftest import PIDONE

ENV = {"PATH": os.environ["PATH"], "A": "alpha", "EMPTY": "", "SPACE": "a  b",
       "PORT": "9090", "STARS": "*"}

SAME_AS_SH = [
    "${A}", "x${A}y", "${U}", "${U:-def}", "${EMPTY:-def}", "${A:-def}", "${U:-}",
    "${U:-a b}", "${U:-${A}}", "${U:-x${A:-y}z}", "${A:-${U}}", "--port=${PORT:-8080}",
    "--port=${NOPORT:-8080}", "${SPACE}", "${STARS}", "${A}${A}", "${U:-http://h:80/p}",
    "plain", "", "a:b}", "}{", "${A}}", "${U:-}}",
]

LEFT_ALONE = {
    "$A": "$A", "$": "$", "5$": "5$", "$(echo x)": "$(echo x)", "`echo x`": "`echo x`",
    "${A-x}": "${A-x}", "${#A}": "${#A}", "${1}": "${1}", "${A:=x}": "${A:=x}",
}

DOLLARS = {"$$": "$", "$${A}": "${A}", "${U:-$$}": "$", "cost: 5$$": "cost: 5$"}


def expanded(arg, env=ENV, option=("--expand-env",)):
    p = subprocess.run([PIDONE, *option, "--", "printf", "%s\\n", arg],
                       capture_output=True, text=True, timeout=20, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout


def sh_gives(arg):
    p = subprocess.run(["sh", "-c", 'printf "%s\\n" "' + arg + '"'],
                       capture_output=True, text=True, timeout=20, env=ENV)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.mark.parametrize("arg", SAME_AS_SH)
def test_expands_as_sh_does(arg):
    assert expanded(arg) == sh_gives(arg)


@pytest.mark.parametrize("arg", list(LEFT_ALONE))
def test_other_forms_are_left_as_they_are(arg):
    assert expanded(arg) == LEFT_ALONE[arg] + "\n"


@pytest.mark.parametrize("arg", list(DOLLARS))
def test_double_dollar_is_one_dollar(arg):
    assert expanded(arg) == DOLLARS[arg] + "\n"


def test_value_is_one_argument_not_split_or_globbed():
    p = subprocess.run([PIDONE, "--expand-env", "--", "sh", "-c", 'echo "$#"', "sh",
                        "${SPACE}", "${STARS}"],
                       capture_output=True, text=True, timeout=20, env=ENV)
    assert p.stdout == "2\n"


def test_command_itself_is_expanded():
    p = subprocess.run([PIDONE, "--expand-env", "--", "${CMD:-echo}", "ran"],
                       capture_output=True, text=True, timeout=20, env=ENV)
    assert (p.returncode, p.stdout) == (0, "ran\n")


def test_variable_turns_it_on():
    assert expanded("${A}", env=dict(ENV, PIDONE_EXPAND_ENV="1"), option=()) == "alpha\n"


def test_off_by_default():
    assert expanded("${A}", option=()) == "${A}\n"


@pytest.mark.parametrize("arg", ["${A", "--port=${PORT:-80", "${U:-${A}"])
def test_unclosed_brace_exits_125_naming_the_argument_and_runs_nothing(arg):
    p = subprocess.run([PIDONE, "--expand-env", "--", "echo", "ok", arg],
                       capture_output=True, text=True, timeout=20, env=ENV)
    assert p.returncode == 125
    assert p.stdout == ""
    assert p.stderr == f"pidone: --expand-env: '{arg}' has a \"${{\" with no \"}}\"\n"
