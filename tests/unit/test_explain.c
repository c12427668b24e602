/* test_explain.c: --explain (explain.c) and where config_parse says each
 * setting came from (options.c, config_source): one line per setting,
 * "name: value (from: SOURCE)".
 *
 *     explained(ARGV("pidone", "--grace", "2", "cmd"), NOENV)
 *     has_line("grace: 2 (from: command line)")
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pidone.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ENV(...) ((char *[]){ __VA_ARGS__, NULL })
#define NOENV ((char *[]){ NULL })

static struct config cfg;
static char out[4096];
static size_t outlen;

static int collect(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	if (outlen + len >= sizeof out)
		return -1;
	memcpy(out + outlen, text, len);
	outlen += len;
	out[outlen] = '\0';
	return 0;
}

static int count(char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

static void parsed(char **argv, char **envp)
{
	char err[256];

	memset(&cfg, 0x5a, sizeof cfg);
	if (config_parse(&cfg, count(argv), argv, envp, err, sizeof err) != 0)
		fail_msg("rejected: %s", err);
}

static void explained_as(char **argv, char **envp, const struct identity *id)
{
	parsed(argv, envp);
	outlen = 0;
	out[0] = '\0';
	assert_int_equal(explain(&cfg, id, envp, collect, NULL), 0);
}

static void explained(char **argv, char **envp)
{
	explained_as(argv, envp, NULL);
}

static void has_line(const char *line)
{
	char want[256];

	/* a whole line: at the start or after a newline */
	snprintf(want, sizeof want, "%s\n", line);
	for (const char *at = strstr(out, want); at; at = strstr(at + 1, want))
		if (at == out || at[-1] == '\n')
			return;
	fail_msg("no line \"%s\" in:\n%s", line, out);
}

static void source_is(enum setting s, const char *want)
{
	char buf[48];

	assert_string_equal(config_source(&cfg, s, buf), want);
}

/* ---- the lines -------------------------------------------------------- */

static void every_setting_has_one_line_in_order(void **state)
{
	static const char *names[] = {
		"mode", "command", "expand-env", "user", "home", "forward-to",
		"rewrite", "pdeath-signal", "drain", "drain-signal", "grace",
		"remap-exit", "verbosity", "quiet", "warn-reap", "log-format",
		"confine", "restrict",
	};
	const char *line = out;

	(void)state;
	explained(ARGV("pidone", "cmd"), NOENV);
	assert_int_equal(sizeof names / sizeof names[0], NSETTINGS);
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *nl = strchr(line, '\n');

		assert_non_null(nl);
		if (strncmp(line, names[i], strlen(names[i])) != 0 || line[strlen(names[i])] != ':')
			fail_msg("line %zu is \"%.*s\", want %s", i, (int)(nl - line), line, names[i]);
		assert_non_null(strstr(line, " (from: ")); /* before the newline */
		assert_true(strstr(line, " (from: ") < nl);
		assert_true(nl[-1] == ')');
		line = nl + 1;
	}
	assert_string_equal(line, "");
}

static void defaults_say_default(void **state)
{
	(void)state;
	explained(ARGV("pidone", "cmd"), NOENV);
	has_line("mode: run (from: default)");
	has_line("command: cmd (from: command line)");
	has_line("expand-env: off (from: default)");
	has_line("user: unchanged (from: default)");
	has_line("home: unset (from: default)");
	has_line("forward-to: process group: SIGINT,SIGQUIT,SIGTERM,SIGCONT; child: every other signal (from: default)");
	has_line("rewrite: none (from: default)");
	has_line("pdeath-signal: none (from: default)");
	has_line("drain: on (from: default)");
	has_line("drain-signal: SIGTERM (from: default)");
	has_line("grace: 5 (from: default)");
	has_line("remap-exit: none (from: default)");
	has_line("verbosity: 0 (from: default)");
	has_line("quiet: off (from: default)");
	has_line("warn-reap: off (from: default)");
	has_line("log-format: text (from: default)");
	has_line("confine: on (from: default)");
}

static void values_are_written_as_their_options_take_them(void **state)
{
	(void)state;
	explained(ARGV("pidone", "-c", "-r", "TERM:QUIT", "-r", "2:0", "-p", "9", "--no-drain",
		       "--drain-signal", "USR1", "--grace", "0.25", "-e", "143", "-e", "1",
		       "-vv", "-q", "-w", "--log-format", "json", "--no-confine",
		       "--expand-env", "cmd"), NOENV);
	has_line("forward-to: child: every signal (from: command line)");
	has_line("rewrite: SIGINT:0,SIGTERM:SIGQUIT (from: command line)");
	has_line("pdeath-signal: SIGKILL (from: command line)");
	has_line("drain: off (from: command line)");
	has_line("drain-signal: SIGUSR1 (from: command line)");
	has_line("grace: 0.25 (from: command line)");
	has_line("remap-exit: 1,143 (from: command line)");
	has_line("verbosity: 2 (from: command line)");
	has_line("quiet: on (from: command line)");
	has_line("warn-reap: on (from: command line)");
	has_line("log-format: json (from: command line)");
	has_line("confine: off (from: command line)");
	has_line("expand-env: on (from: command line)");
}

static void grace_keeps_only_the_decimals_it_has(void **state)
{
	(void)state;
	explained(ARGV("pidone", "--grace", "0.005", "cmd"), NOENV);
	has_line("grace: 0.005 (from: command line)");
	explained(ARGV("pidone", "--grace", "2.100", "cmd"), NOENV);
	has_line("grace: 2.1 (from: command line)");
	explained(ARGV("pidone", "--grace", "0", "cmd"), NOENV);
	has_line("grace: 0 (from: command line)");
}

static void command_words_are_quoted_as_sh_reads_them(void **state)
{
	(void)state;
	explained(ARGV("pidone", "--", "srv", "--port=80", "a b", "it's", "", "l1\nl2"), NOENV);
	has_line("command: srv --port=80 'a b' 'it'\\''s' '' $'l1\\x0al2' (from: command line)");
}

static void pause_mode_has_no_command(void **state)
{
	(void)state;
	explained(ARGV("pidone", "-P"), NOENV);
	has_line("mode: pause (from: command line)");
	has_line("command: none (from: default)");
	explained(ARGV("pause"), NOENV);
	has_line("mode: pause (from: command line)");
	explained(ARGV("pidone"), ENV("PIDONE_PAUSE=1"));
	has_line("mode: pause (from: PIDONE_PAUSE)");
}

static void user_line_shows_ids_and_names(void **state)
{
	struct identity id = { .uid = 101, .gid = 104, .ngroups = 2,
			       .groups = { 103, 7 }, .user = "postgres",
			       .group = "postgres" };

	(void)state;
	explained_as(ARGV("pidone", "--user", "postgres", "cmd"), NOENV, &id);
	has_line("user: uid=101(postgres) gid=104(postgres) groups=103,7 (from: command line)");
}

static void user_line_for_bare_numbers(void **state)
{
	struct identity id = { .uid = 1234, .gid = 0 };

	(void)state;
	explained_as(ARGV("pidone", "cmd"), ENV("PIDONE_USER=1234"), &id);
	has_line("user: uid=1234 gid=0 groups=none (from: PIDONE_USER)");
}

static void home_line_says_who_sets_home(void **state)
{
	struct identity id = { .home_env = "HOME=/var/lib/postgresql" };

	(void)state;
	explained_as(ARGV("pidone", "--user", "postgres", "cmd"), NOENV, &id);
	has_line("home: /var/lib/postgresql (from: /etc/passwd)");
	id.home_env[0] = '\0';
	explained_as(ARGV("pidone", "--user", "postgres", "cmd"), ENV("HOME=/root"), &id);
	has_line("home: /root (from: HOME)");
}

static void failing_output_is_returned(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "cmd"), NOENV);
	outlen = sizeof out; /* full: collect() fails */
	assert_int_equal(explain(&cfg, NULL, NOENV, collect, NULL), -1);
}

/* ---- sources ------------------------------------------------------------ */

static void source_pidone_variable(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "cmd"), ENV("PIDONE_GRACE=3", "PIDONE_USER=app",
					  "PIDONE_EXPAND_ENV=1", "PIDONE_DRAIN=0",
					  "PIDONE_CONFINE=0", "PIDONE_SINGLE_CHILD=1"));
	source_is(SET_GRACE, "PIDONE_GRACE");
	source_is(SET_USER, "PIDONE_USER");
	source_is(SET_EXPAND_ENV, "PIDONE_EXPAND_ENV");
	source_is(SET_DRAIN, "PIDONE_DRAIN");
	source_is(SET_CONFINE, "PIDONE_CONFINE");
	source_is(SET_FORWARD_TO, "PIDONE_SINGLE_CHILD");
	source_is(SET_QUIET, "default");
}

static void source_peer_variables(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "cmd"), ENV("TINI_VERBOSITY=3", "DUMB_INIT_SETSID=0"));
	source_is(SET_VERBOSITY, "TINI_VERBOSITY");
	source_is(SET_FORWARD_TO, "DUMB_INIT_SETSID");
	parsed(ARGV("pidone", "cmd"), ENV("TINI_KILL_PROCESS_GROUP=1"));
	source_is(SET_FORWARD_TO, "TINI_KILL_PROCESS_GROUP");
}

static void source_dumb_init_setsid_other_than_0_changes_nothing(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "cmd"), ENV("DUMB_INIT_SETSID=1"));
	source_is(SET_FORWARD_TO, "default");
}

static void source_pidone_variable_wins_over_a_peers(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "cmd"), ENV("TINI_VERBOSITY=3", "PIDONE_VERBOSITY=1"));
	source_is(SET_VERBOSITY, "PIDONE_VERBOSITY");
	parsed(ARGV("pidone", "cmd"), ENV("DUMB_INIT_SETSID=0", "PIDONE_SINGLE_CHILD=0"));
	source_is(SET_FORWARD_TO, "PIDONE_SINGLE_CHILD");
}

static void source_command_line_wins_over_variables(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "--grace", "1", "-g", "--no-drain", "--user", "app", "cmd"),
	       ENV("PIDONE_GRACE=3", "DUMB_INIT_SETSID=0", "PIDONE_DRAIN=1",
		   "PIDONE_USER=other"));
	source_is(SET_GRACE, "command line");
	source_is(SET_FORWARD_TO, "command line");
	source_is(SET_DRAIN, "command line");
	source_is(SET_USER, "command line");
}

static void source_of_what_adds_up_names_both(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "-v", "-e", "1", "-r", "INT:0", "cmd"),
	       ENV("TINI_VERBOSITY=3", "PIDONE_REMAP_EXIT=143", "PIDONE_REWRITE=TERM:QUIT"));
	source_is(SET_VERBOSITY, "TINI_VERBOSITY, command line");
	source_is(SET_REMAP, "PIDONE_REMAP_EXIT, command line");
	source_is(SET_REWRITE, "PIDONE_REWRITE, command line");
}

static void source_of_what_adds_up_given_once(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "-v", "-v", "cmd"), NOENV);
	source_is(SET_VERBOSITY, "command line");
}

static void source_empty_pidone_user_is_no_user(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "cmd"), ENV("PIDONE_USER="));
	assert_null(cfg.user);
	source_is(SET_USER, "PIDONE_USER");
}

static void source_command_is_the_command_line(void **state)
{
	(void)state;
	parsed(ARGV("pidone", "cmd"), NOENV);
	source_is(SET_COMMAND, "command line");
	source_is(SET_MODE, "default");
}

static void routing_lists_the_smaller_set(void **state)
{
	(void)state;
	explained(ARGV("pidone", "-g", "cmd"), NOENV);
	has_line("forward-to: process group: every signal (from: command line)");
	explained(ARGV("pidone", "--group-signals", "HUP", "cmd"), NOENV);
	has_line("forward-to: process group: SIGHUP,SIGINT,SIGQUIT,SIGTERM,SIGCONT; "
		 "child: every other signal (from: command line)");
	explained(ARGV("pidone", "-g", "--child-signals", "HUP,USR1", "cmd"), NOENV);
	has_line("forward-to: child: SIGHUP,SIGUSR1; process group: every other signal "
		 "(from: command line)");
}

static void restrict_lists_each_rule_and_the_abi_they_need(void **state)
{
	(void)state;
	explained(ARGV("pidone", "cmd"), NOENV);
	has_line("restrict: none (from: default)");
	explained(ARGV("pidone", "--restrict-write", "/data,/tmp", "--restrict-exec", "/usr",
		       "cmd"), NOENV);
	has_line("restrict: write /data,/tmp and /dev; exec /usr; needs Landlock ABI 3 "
		 "(from: command line)");
	explained(ARGV("pidone", "--restrict-bind", "8080", "--restrict-scope",
		       "--restrict-best-effort", "cmd"), ENV("PIDONE_RESTRICT_CONNECT=443,5432"));
	has_line("restrict: bind 8080; connect 443,5432; scope; needs Landlock ABI 6; "
		 "best effort (from: PIDONE_RESTRICT_CONNECT, command line)");
}

static void restrict_path_with_a_newline_stays_on_its_line(void **state)
{
	(void)state;
	explained(ARGV("pidone", "cmd"), ENV("PIDONE_RESTRICT_EXEC=/usr/x\ny"));
	has_line("restrict: exec $'/usr/x\\x0ay'; needs Landlock ABI 1 (from: PIDONE_RESTRICT_EXEC)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(routing_lists_the_smaller_set),
		cmocka_unit_test(restrict_lists_each_rule_and_the_abi_they_need),
		cmocka_unit_test(restrict_path_with_a_newline_stays_on_its_line),
		cmocka_unit_test(every_setting_has_one_line_in_order),
		cmocka_unit_test(defaults_say_default),
		cmocka_unit_test(values_are_written_as_their_options_take_them),
		cmocka_unit_test(grace_keeps_only_the_decimals_it_has),
		cmocka_unit_test(command_words_are_quoted_as_sh_reads_them),
		cmocka_unit_test(pause_mode_has_no_command),
		cmocka_unit_test(user_line_shows_ids_and_names),
		cmocka_unit_test(user_line_for_bare_numbers),
		cmocka_unit_test(home_line_says_who_sets_home),
		cmocka_unit_test(failing_output_is_returned),
		cmocka_unit_test(source_pidone_variable),
		cmocka_unit_test(source_peer_variables),
		cmocka_unit_test(source_dumb_init_setsid_other_than_0_changes_nothing),
		cmocka_unit_test(source_pidone_variable_wins_over_a_peers),
		cmocka_unit_test(source_command_line_wins_over_variables),
		cmocka_unit_test(source_of_what_adds_up_names_both),
		cmocka_unit_test(source_of_what_adds_up_given_once),
		cmocka_unit_test(source_empty_pidone_user_is_no_user),
		cmocka_unit_test(source_command_is_the_command_line),
	};

	printf("explain.c: explain; options.c: config_source\n");
	return cmocka_run_group_tests_name("explain.c", tests, NULL, NULL);
}
