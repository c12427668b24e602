/* test_options.c: the command line and the environment to a config
 * (options.c, config_parse).
 *
 * Each test is one behaviour, named after it. Every call gets a fresh,
 * NULL-terminated argv and envp:
 *
 *     parse(ARGV("pidone", "-e143", "cmd"), ENV("PIDONE_GRACE=3"))
 *
 * A rejected input must return -1 with a one-line message in err that names
 * the option (or variable) and the bad value: see rejected().
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
static char err[256];

static int count(char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

/* config_parse on a config full of garbage: it must set every field. */
static int parse(char **argv, char **envp)
{
	memset(&cfg, 0x5a, sizeof cfg);
	memset(err, 0, sizeof err);
	return config_parse(&cfg, count(argv), argv, envp, err, sizeof err);
}

static void accepted(char **argv, char **envp)
{
	if (parse(argv, envp) != 0)
		fail_msg("rejected: %s", err);
}

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* word occurs in text, not as part of a longer word ("-e" is not in
 * "--remap-exit", "PIDONE_DRAIN" is not in "PIDONE_DRAIN_SIGNAL"). */
static bool mentions(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *at = strstr(text, word); at; at = strstr(at + 1, word)) {
		bool start = at == text || !word_char(at[-1]) || !word_char(word[0]);
		bool end = !word_char(at[n]) || !word_char(word[n - 1]);

		if (start && end)
			return true;
	}
	return false;
}

/* Rejected, with one line that names what (the option or the variable)
 * and, unless NULL, the bad value. */
static void rejected(char **argv, char **envp, const char *what, const char *value)
{
	if (parse(argv, envp) != -1)
		fail_msg("accepted, want an error naming %s%s%s", what,
			 value ? " and " : "", value ? value : "");
	if (err[0] == '\0')
		fail_msg("rejected without a message");
	if (strchr(err, '\n'))
		fail_msg("message is not one line: \"%s\"", err);
	if (!mentions(err, what))
		fail_msg("message \"%s\" does not name %s", err, what);
	if (value && !mentions(err, value))
		fail_msg("message \"%s\" does not name the value %s", err, value);
}

static bool remapped(int code)
{
	return cfg.remap_exit[code / 64] >> (code % 64) & 1;
}

static int remapped_count(void)
{
	int n = 0;

	for (int code = 0; code < 256; code++)
		n += remapped(code);
	return n;
}

/* The rewrite table forwards every signal as itself, except these. */
static void rewrite_is_identity_except(int from, int to)
{
	for (int sig = 1; sig <= MAXSIG; sig++)
		if (sig != from && cfg.rewrite[sig] != sig)
			fail_msg("rewrite[%d] is %d, want %d", sig, cfg.rewrite[sig], sig);
	if (from)
		assert_int_equal(cfg.rewrite[from], to);
}

/* The config `pidone cmd` gives, field by field (argv aside). */
static void config_is_default(void)
{
	static struct config want;
	char werr[64];

	assert_int_equal(config_parse(&want, 2, ARGV("pidone", "cmd"), NOENV,
				      werr, sizeof werr), 0);
	assert_int_equal(cfg.action, want.action);
	assert_int_equal(cfg.verbosity, want.verbosity);
	assert_int_equal(cfg.warn_reap, want.warn_reap);
	assert_int_equal(cfg.single_child, want.single_child);
	assert_int_equal(cfg.drain, want.drain);
	assert_int_equal(cfg.quiet, want.quiet);
	assert_int_equal(cfg.log_format, want.log_format);
	assert_int_equal(cfg.pdeath_signal, want.pdeath_signal);
	assert_int_equal(cfg.drain_signal, want.drain_signal);
	assert_int_equal(cfg.grace_ms, want.grace_ms);
	assert_memory_equal(cfg.rewrite, want.rewrite, sizeof cfg.rewrite);
	assert_memory_equal(cfg.remap_exit, want.remap_exit, sizeof cfg.remap_exit);
	assert_int_equal(cfg.group_all, want.group_all);
	assert_true(cfg.group_signals == want.group_signals);
}

/* ====================================================================== */
/* Defaults                                                               */
/* ====================================================================== */

static void default_runs_the_command(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd", "arg"), NOENV);
	assert_int_equal(cfg.action, ACT_RUN);
	assert_string_equal(cfg.argv[0], "cmd");
	assert_string_equal(cfg.argv[1], "arg");
	assert_null(cfg.argv[2]);
}

static void default_drain_is_on(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	assert_true(cfg.drain);
}

static void default_grace_is_5000_ms(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	assert_int_equal(cfg.grace_ms, 5000);
}

static void default_drain_signal_is_term(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	assert_int_equal(cfg.drain_signal, SIGTERM);
}

static void default_rewrite_is_identity(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	rewrite_is_identity_except(0, 0);
}

static void default_verbosity_is_0(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	assert_int_equal(cfg.verbosity, 0);
}

static void default_switches_are_off(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	assert_false(cfg.quiet);
	assert_false(cfg.warn_reap);
	assert_false(cfg.single_child);
	assert_int_equal(cfg.log_format, LOG_TEXT);
	assert_int_equal(cfg.pdeath_signal, 0);
	assert_int_equal(remapped_count(), 0);
}

/* ====================================================================== */
/* Where options end                                                      */
/* ====================================================================== */

static void options_stop_at_the_first_operand(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "echo", "-h"), NOENV);
	assert_int_equal(cfg.action, ACT_RUN);
	assert_string_equal(cfg.argv[0], "echo");
	assert_string_equal(cfg.argv[1], "-h");
	assert_null(cfg.argv[2]);
}

static void options_after_the_command_are_the_commands(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-v", "echo", "-v", "--", "-q"), NOENV);
	assert_int_equal(cfg.verbosity, 1);
	assert_false(cfg.quiet);
	assert_string_equal(cfg.argv[1], "-v");
	assert_string_equal(cfg.argv[2], "--");
	assert_string_equal(cfg.argv[3], "-q");
}

static void double_dash_ends_options(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-v", "--", "echo", "x"), NOENV);
	assert_int_equal(cfg.verbosity, 1);
	assert_string_equal(cfg.argv[0], "echo");
	assert_string_equal(cfg.argv[1], "x");
}

static void double_dash_lets_the_command_start_with_a_dash(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--", "-x"), NOENV);
	assert_string_equal(cfg.argv[0], "-x");
	assert_null(cfg.argv[1]);
}

static void second_double_dash_belongs_to_the_command(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--", "--", "x"), NOENV);
	assert_string_equal(cfg.argv[0], "--");
	assert_string_equal(cfg.argv[1], "x");
}

static void lone_dash_is_an_operand(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-", "x"), NOENV);
	assert_string_equal(cfg.argv[0], "-");
}

/* ====================================================================== */
/* Short and long forms                                                   */
/* ====================================================================== */

static void short_flags_cluster(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-vvw", "cmd"), NOENV);
	assert_int_equal(cfg.verbosity, 2);
	assert_true(cfg.warn_reap);
}

static void cluster_may_end_with_an_option_and_its_value(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-ve143", "cmd"), NOENV);
	assert_int_equal(cfg.verbosity, 1);
	assert_true(remapped(143));
	assert_string_equal(cfg.argv[0], "cmd");
}

static void short_value_attached(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-e143", "cmd"), NOENV);
	assert_true(remapped(143));
	assert_int_equal(remapped_count(), 1);
	assert_string_equal(cfg.argv[0], "cmd");
}

static void short_value_separate(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-e", "143", "cmd"), NOENV);
	assert_true(remapped(143));
	assert_int_equal(remapped_count(), 1);
	assert_string_equal(cfg.argv[0], "cmd");
}

static void long_value_after_equals(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--grace=2.5", "cmd"), NOENV);
	assert_int_equal(cfg.grace_ms, 2500);
	assert_string_equal(cfg.argv[0], "cmd");
}

static void long_value_separate(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--grace", "2.5", "cmd"), NOENV);
	assert_int_equal(cfg.grace_ms, 2500);
	assert_string_equal(cfg.argv[0], "cmd");
}

/* ====================================================================== */
/* Every option has its effect                                            */
/* ====================================================================== */

static void h_shows_help(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-h"), NOENV);
	assert_int_equal(cfg.action, ACT_HELP);
}

static void help_shows_help(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--help"), NOENV);
	assert_int_equal(cfg.action, ACT_HELP);
}

static void V_shows_the_version(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-V"), NOENV);
	assert_int_equal(cfg.action, ACT_VERSION);
}

static void version_shows_the_version(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--version"), NOENV);
	assert_int_equal(cfg.action, ACT_VERSION);
}

static void l_shows_the_license(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-l"), NOENV);
	assert_int_equal(cfg.action, ACT_LICENSE);
}

static void L_shows_the_license(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-L"), NOENV);
	assert_int_equal(cfg.action, ACT_LICENSE);
}

static void license_shows_the_license(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--license"), NOENV);
	assert_int_equal(cfg.action, ACT_LICENSE);
}

static void v_adds_one_level(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-v", "cmd"), NOENV);
	assert_int_equal(cfg.verbosity, 1);
}

static void verbose_repeated_adds_a_level_each(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--verbose", "--verbose", "-v", "cmd"), NOENV);
	assert_int_equal(cfg.verbosity, 3);
}

static void q_turns_quiet_on(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-q", "cmd"), NOENV);
	assert_true(cfg.quiet);
}

static void quiet_turns_quiet_on(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--quiet", "cmd"), NOENV);
	assert_true(cfg.quiet);
}

static void w_turns_warn_reap_on(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-w", "cmd"), NOENV);
	assert_true(cfg.warn_reap);
}

static void warn_reap_turns_warn_reap_on(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--warn-reap", "cmd"), NOENV);
	assert_true(cfg.warn_reap);
}

static void c_signals_the_child_only(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-c", "cmd"), NOENV);
	assert_true(cfg.single_child);
	assert_true(cfg.group_signals == 0);
}

static void single_child_signals_the_child_only(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--single-child", "cmd"), NOENV);
	assert_true(cfg.single_child);
}

static void g_signals_the_group(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-g", "cmd"), ENV("DUMB_INIT_SETSID=0"));
	assert_false(cfg.single_child);
	assert_true(cfg.group_all);
	assert_true(cfg.group_signals == UINT64_MAX);
}

static void process_group_signals_the_group(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--process-group", "cmd"), ENV("DUMB_INIT_SETSID=0"));
	assert_false(cfg.single_child);
}

static void r_rewrites_one_signal(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-r", "15:3", "cmd"), NOENV);
	rewrite_is_identity_except(SIGTERM, SIGQUIT);
}

static void rewrite_takes_signal_names(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--rewrite=TERM:SIGQUIT", "cmd"), NOENV);
	rewrite_is_identity_except(SIGTERM, SIGQUIT);
}

static void rewrite_takes_realtime_names(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--rewrite", "RTMIN+1:USR1", "cmd"), NOENV);
	rewrite_is_identity_except(35, SIGUSR1);
}

static void rewrite_to_0_drops_the_signal(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-r", "15:0", "cmd"), NOENV);
	rewrite_is_identity_except(SIGTERM, 0);
}

static void rewrite_repeats(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-r", "15:3", "-r", "2:0", "cmd"), NOENV);
	assert_int_equal(cfg.rewrite[SIGTERM], SIGQUIT);
	assert_int_equal(cfg.rewrite[SIGINT], 0);
	assert_int_equal(cfg.rewrite[SIGHUP], SIGHUP);
}

static void e_remaps_one_exit_code(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-e", "143", "cmd"), NOENV);
	assert_true(remapped(143));
	assert_int_equal(remapped_count(), 1);
}

static void remap_exit_repeats(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--remap-exit", "143", "--remap-exit=130", "-e0",
		      "-e", "255", "cmd"), NOENV);
	assert_true(remapped(143));
	assert_true(remapped(130));
	assert_true(remapped(0));
	assert_true(remapped(255));
	assert_int_equal(remapped_count(), 4);
}

static void p_sets_the_parent_death_signal(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-p", "KILL", "cmd"), NOENV);
	assert_int_equal(cfg.pdeath_signal, SIGKILL);
}

static void pdeath_signal_takes_names_and_numbers(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--pdeath-signal", "SIGUSR1", "cmd"), NOENV);
	assert_int_equal(cfg.pdeath_signal, SIGUSR1);
	accepted(ARGV("pidone", "--pdeath-signal=15", "cmd"), NOENV);
	assert_int_equal(cfg.pdeath_signal, SIGTERM);
}

static void s_is_accepted_and_changes_nothing(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-s", "cmd"), NOENV);
	config_is_default();
}

static void subreaper_is_accepted_and_changes_nothing(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--subreaper", "cmd"), NOENV);
	config_is_default();
}

static void P_is_pause_mode(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-P"), NOENV);
	assert_int_equal(cfg.action, ACT_PAUSE);
	assert_null(cfg.argv);
}

static void pause_is_pause_mode(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--pause"), NOENV);
	assert_int_equal(cfg.action, ACT_PAUSE);
	assert_null(cfg.argv);
}

static void grace_in_seconds_becomes_milliseconds(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--grace", "3", "cmd"), NOENV);
	assert_int_equal(cfg.grace_ms, 3000);
}

static void grace_takes_up_to_three_decimals(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--grace", "0.25", "cmd"), NOENV);
	assert_int_equal(cfg.grace_ms, 250);
	accepted(ARGV("pidone", "--grace", "0.001", "cmd"), NOENV);
	assert_int_equal(cfg.grace_ms, 1);
	accepted(ARGV("pidone", "--grace", "1.500", "cmd"), NOENV);
	assert_int_equal(cfg.grace_ms, 1500);
}

static void grace_0_kills_at_once(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--grace", "0", "cmd"), NOENV);
	assert_int_equal(cfg.grace_ms, 0);
	assert_true(cfg.drain);
}

static void grace_of_a_day_is_allowed(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--grace", "86400", "cmd"), NOENV);
	assert_int_equal(cfg.grace_ms, 86400000u);
}

static void drain_signal_sets_the_drain_signal(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--drain-signal", "QUIT", "cmd"), NOENV);
	assert_int_equal(cfg.drain_signal, SIGQUIT);
	accepted(ARGV("pidone", "--drain-signal=RTMIN+2", "cmd"), NOENV);
	assert_int_equal(cfg.drain_signal, 36);
}

static void no_drain_turns_drain_off(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--no-drain", "cmd"), NOENV);
	assert_false(cfg.drain);
}

static void log_format_json(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--log-format", "json", "cmd"), NOENV);
	assert_int_equal(cfg.log_format, LOG_JSON);
}

static void log_format_text(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--log-format=json", "--log-format=text", "cmd"), NOENV);
	assert_int_equal(cfg.log_format, LOG_TEXT);
}

/* ====================================================================== */
/* Pause mode and the command                                             */
/* ====================================================================== */

static void invoked_as_pause_is_pause_mode(void **state)
{
	(void)state;
	accepted(ARGV("pause"), NOENV);
	assert_int_equal(cfg.action, ACT_PAUSE);
	assert_null(cfg.argv);
}

static void invoked_as_a_path_ending_in_pause_is_pause_mode(void **state)
{
	(void)state;
	accepted(ARGV("/pause"), NOENV);
	assert_int_equal(cfg.action, ACT_PAUSE);
	accepted(ARGV("/usr/local/bin/pause", "-v"), NOENV);
	assert_int_equal(cfg.action, ACT_PAUSE);
	assert_int_equal(cfg.verbosity, 1);
}

static void only_the_basename_pause_is_pause_mode(void **state)
{
	(void)state;
	accepted(ARGV("/pause/pidone", "cmd"), NOENV);
	assert_int_equal(cfg.action, ACT_RUN);
	accepted(ARGV("pauser", "cmd"), NOENV);
	assert_int_equal(cfg.action, ACT_RUN);
}

static void pause_mode_with_a_command_is_an_error(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-P", "echo"), NOENV, "pause", "echo");
}

static void invoked_as_pause_with_a_command_is_an_error(void **state)
{
	(void)state;
	rejected(ARGV("pause", "echo"), NOENV, "pause", "echo");
}

static void no_command_is_an_error(void **state)
{
	(void)state;
	rejected(ARGV("pidone"), NOENV, "command", NULL);
}

static void options_without_a_command_is_an_error(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-v", "--"), NOENV, "command", NULL);
}

static void help_needs_no_command(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-v", "-h"), NOENV);
	assert_int_equal(cfg.action, ACT_HELP);
}

/* ====================================================================== */
/* Bad command lines: -1, and a message naming the option and the value  */
/* ====================================================================== */

static void unknown_short_option(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-x", "cmd"), NOENV, "-x", NULL);
}

static void unknown_short_option_in_a_cluster(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-vxw", "cmd"), NOENV, "-x", NULL);
}

static void unknown_long_option(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--frobnicate", "cmd"), NOENV, "--frobnicate", NULL);
}

static void unknown_long_option_with_a_value(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--frob=1", "cmd"), NOENV, "--frob", NULL);
}

static void long_flag_with_a_value(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--quiet=1", "cmd"), NOENV, "--quiet", NULL);
}

static void missing_value_of_a_short_option(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-e"), NOENV, "-e", NULL);
}

static void missing_value_of_a_long_option(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--grace"), NOENV, "--grace", NULL);
}

static void remap_exit_300(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-e", "300", "cmd"), NOENV, "-e", "300");
}

static void remap_exit_256(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-e256", "cmd"), NOENV, "-e", "256");
}

static void remap_exit_minus_1(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-e", "-1", "cmd"), NOENV, "-e", "-1");
}

static void remap_exit_not_a_number(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-e", "x", "cmd"), NOENV, "-e", "x");
}

static void remap_exit_long_form_names_the_long_option(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--remap-exit=1x", "cmd"), NOENV, "--remap-exit", "1x");
}

static void rewrite_without_a_colon(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-r", "15", "cmd"), NOENV, "-r", "15");
}

static void rewrite_of_unknown_signals(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-r", "x:y", "cmd"), NOENV, "-r", "x:y");
}

static void rewrite_to_an_unknown_signal(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-r", "15:NOSUCH", "cmd"), NOENV, "-r", "15:NOSUCH");
}

static void rewrite_with_nothing_before_the_colon(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-r", ":3", "cmd"), NOENV, "-r", ":3");
}

static void rewrite_with_nothing_after_the_colon(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-r", "15:", "cmd"), NOENV, "-r", "15:");
}

static void rewrite_of_kill(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-r", "9:1", "cmd"), NOENV, "-r", "9:1");
}

static void rewrite_of_stop(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-r", "STOP:1", "cmd"), NOENV, "-r", "STOP:1");
}

static void rewrite_of_chld(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--rewrite", "17:1", "cmd"), NOENV, "--rewrite", "17:1");
}

static void pdeath_signal_unknown(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-p", "NOSUCH", "cmd"), NOENV, "-p", "NOSUCH");
}

/* As prctl(PR_SET_PDEATHSIG, 0): no signal, which lets PIDONE_PDEATH_SIGNAL=0
 * turn the variable off like every other switch. */
static void pdeath_signal_0_means_none(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-p", "0", "cmd"), ENV("PIDONE_PDEATH_SIGNAL=KILL"));
	assert_int_equal(cfg.pdeath_signal, 0);
}

static void drain_signal_unknown(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--drain-signal", "65", "cmd"), NOENV, "--drain-signal", "65");
}

static void grace_negative(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--grace", "-1", "cmd"), NOENV, "--grace", "-1");
}

static void grace_with_four_decimals(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--grace", "1.2345", "cmd"), NOENV, "--grace", "1.2345");
}

static void grace_not_a_number(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--grace", "abc", "cmd"), NOENV, "--grace", "abc");
}

static void grace_with_a_unit(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--grace=5s", "cmd"), NOENV, "--grace", "5s");
}

static void grace_empty(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--grace=", "cmd"), NOENV, "--grace", NULL);
}

static void grace_over_a_day(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--grace", "86401", "cmd"), NOENV, "--grace", "86401");
}

static void log_format_xml(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--log-format", "xml", "cmd"), NOENV, "--log-format", "xml");
}

static void c_and_g_together(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-c", "-g", "cmd"), NOENV, "-c", "-g");
}

static void g_and_c_together(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-gc", "cmd"), NOENV, "-c", "-g");
}

static void message_fits_a_small_buffer(void **state)
{
	char small[8 + 8];

	(void)state;
	memset(small, 'X', sizeof small);
	assert_int_equal(config_parse(&cfg, 3, ARGV("pidone", "--log-format=xml", "cmd"),
				      NOENV, small, 8), -1);
	assert_true(strlen(small) < 8);
	for (size_t i = 8; i < sizeof small; i++)
		assert_int_equal(small[i], 'X');
}

/* ====================================================================== */
/* The environment: PIDONE_* for every option that has one               */
/* ====================================================================== */

static void env_pidone_verbosity_sets_the_level(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_VERBOSITY=2"));
	assert_int_equal(cfg.verbosity, 2);
}

static void env_variables_among_others_are_found(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"),
		 ENV("PATH=/bin", "PIDONE=1", "PIDONE_QUIETER=1", "TINI", "DUMB_INIT",
		     "PIDONE_GRACE=7", "HOME=/", "TINI_VERBOSITY=3", "TERM=x"));
	assert_int_equal(cfg.grace_ms, 7000);
	assert_int_equal(cfg.verbosity, 2);
	assert_false(cfg.quiet);
}

static void env_first_of_a_repeated_variable_wins(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_GRACE=2", "PIDONE_GRACE=9"));
	assert_int_equal(cfg.grace_ms, 2000);
}

/* More of pidone's variables than its one-pass gathering keeps. */
static void env_with_dozens_of_own_variables_still_read(void **state)
{
	char *envp[64];
	int n = 0;

	(void)state;
	while (n < 40)
		envp[n++] = "PIDONE_UNKNOWN=1";
	envp[n++] = "PIDONE_GRACE=3";
	envp[n] = NULL;
	accepted(ARGV("pidone", "cmd"), envp);
	assert_int_equal(cfg.grace_ms, 3000);
}

static void env_pidone_verbosity_not_a_number(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_VERBOSITY=loud"),
		 "PIDONE_VERBOSITY", "loud");
}

static void env_pidone_quiet_1_on(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_QUIET=1"));
	assert_true(cfg.quiet);
}

static void env_pidone_quiet_0_off(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_QUIET=0"));
	assert_false(cfg.quiet);
}

static void env_pidone_warn_reap_1_on(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_WARN_REAP=1"));
	assert_true(cfg.warn_reap);
}

static void env_pidone_single_child_1_on(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_SINGLE_CHILD=1"));
	assert_true(cfg.single_child);
}

static void env_pidone_single_child_0_off(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_SINGLE_CHILD=0"));
	assert_false(cfg.single_child);
}

static void env_pidone_single_child_maybe(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_SINGLE_CHILD=maybe"),
		 "PIDONE_SINGLE_CHILD", "maybe");
}

static void env_switches_take_yes_true_on_and_no_false_off(void **state)
{
	static const char *const on[] = { "PIDONE_QUIET=yes", "PIDONE_QUIET=true",
					  "PIDONE_QUIET=on" };
	static const char *const off[] = { "PIDONE_QUIET=no", "PIDONE_QUIET=false",
					   "PIDONE_QUIET=off" };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		accepted(ARGV("pidone", "cmd"), ENV((char *)on[i]));
		assert_true(cfg.quiet);
		accepted(ARGV("pidone", "cmd"), ENV((char *)off[i]));
		assert_false(cfg.quiet);
	}
}

static void env_pidone_rewrite_list(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_REWRITE=15:3,2:0"));
	assert_int_equal(cfg.rewrite[SIGTERM], SIGQUIT);
	assert_int_equal(cfg.rewrite[SIGINT], 0);
	assert_int_equal(cfg.rewrite[SIGHUP], SIGHUP);
}

static void env_pidone_rewrite_bad_item(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_REWRITE=15:3,x:y"),
		 "PIDONE_REWRITE", "x:y");
}

static void env_pidone_remap_exit_list(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_REMAP_EXIT=143,130"));
	assert_true(remapped(143));
	assert_true(remapped(130));
	assert_int_equal(remapped_count(), 2);
}

static void env_pidone_remap_exit_bad_item(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_REMAP_EXIT=143,300"),
		 "PIDONE_REMAP_EXIT", "300");
}

static void env_pidone_pdeath_signal(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_PDEATH_SIGNAL=SIGKILL"));
	assert_int_equal(cfg.pdeath_signal, SIGKILL);
}

static void env_pidone_pdeath_signal_unknown(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_PDEATH_SIGNAL=NOSUCH"),
		 "PIDONE_PDEATH_SIGNAL", "NOSUCH");
}

static void env_pidone_subreaper_changes_nothing(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_SUBREAPER=1"));
	config_is_default();
}

static void env_pidone_subreaper_maybe(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_SUBREAPER=maybe"),
		 "PIDONE_SUBREAPER", "maybe");
}

static void env_pidone_pause_1_is_pause_mode(void **state)
{
	(void)state;
	accepted(ARGV("pidone"), ENV("PIDONE_PAUSE=1"));
	assert_int_equal(cfg.action, ACT_PAUSE);
}

static void env_pidone_pause_0_runs_the_command(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_PAUSE=0"));
	assert_int_equal(cfg.action, ACT_RUN);
}

static void env_pidone_grace(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_GRACE=3"));
	assert_int_equal(cfg.grace_ms, 3000);
}

static void env_pidone_grace_not_a_number(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_GRACE=abc"), "PIDONE_GRACE", "abc");
}

static void env_pidone_drain_signal(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_DRAIN_SIGNAL=QUIT"));
	assert_int_equal(cfg.drain_signal, SIGQUIT);
	assert_true(cfg.drain);
}

static void env_pidone_drain_0_turns_drain_off(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_DRAIN=0"));
	assert_false(cfg.drain);
}

static void env_pidone_drain_1_keeps_drain_on(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_DRAIN=1"));
	assert_true(cfg.drain);
}

static void env_pidone_drain_maybe(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_DRAIN=maybe"), "PIDONE_DRAIN", "maybe");
}

static void env_pidone_log_format(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_LOG_FORMAT=json"));
	assert_int_equal(cfg.log_format, LOG_JSON);
}

static void env_pidone_log_format_xml(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_LOG_FORMAT=xml"), "PIDONE_LOG_FORMAT", "xml");
}

static void env_names_match_exactly(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"),
		 ENV("PIDONE_QUIET", "PIDONE_QUIETLY=1", "XPIDONE_QUIET=1",
		     "pidone_quiet=1", "PIDONE_GRACEFUL=abc"));
	config_is_default();
}

/* ====================================================================== */
/* The environment: the peers' variables                                  */
/* ====================================================================== */

static void env_tini_subreaper_is_accepted_and_changes_nothing(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("TINI_SUBREAPER=1"));
	config_is_default();
	accepted(ARGV("pidone", "cmd"), ENV("TINI_SUBREAPER="));
	config_is_default();
}

static void env_tini_verbosity_counts_from_tinis_default_1(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("TINI_VERBOSITY=1"));
	assert_int_equal(cfg.verbosity, 0);
	accepted(ARGV("pidone", "cmd"), ENV("TINI_VERBOSITY=2"));
	assert_int_equal(cfg.verbosity, 1);
	accepted(ARGV("pidone", "cmd"), ENV("TINI_VERBOSITY=3"));
	assert_int_equal(cfg.verbosity, 2);
	accepted(ARGV("pidone", "cmd"), ENV("TINI_VERBOSITY=0"));
	assert_int_equal(cfg.verbosity, 0);
}

static void env_tini_kill_process_group_signals_the_group(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("TINI_KILL_PROCESS_GROUP=1"));
	assert_false(cfg.single_child);
	assert_true(cfg.group_signals == UINT64_MAX);
	assert_string_equal(cfg.route_from, "TINI_KILL_PROCESS_GROUP");
}

static void env_dumb_init_setsid_0_signals_the_child_only(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("DUMB_INIT_SETSID=0"));
	assert_true(cfg.single_child);
}

/* dumb-init's default, so pidone's default: only =0 means anything. */
static void env_dumb_init_setsid_1_keeps_the_default_routing(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("DUMB_INIT_SETSID=1"));
	assert_false(cfg.single_child);
	assert_true(cfg.group_signals == GROUP_SIGNALS_DEFAULT);
}

static void env_pidone_variable_wins_over_the_peers(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("DUMB_INIT_SETSID=0", "PIDONE_SINGLE_CHILD=0"));
	assert_false(cfg.single_child);
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_VERBOSITY=0", "TINI_VERBOSITY=3"));
	assert_int_equal(cfg.verbosity, 0);
}

/* ====================================================================== */
/* Command-line options win over the environment                          */
/* ====================================================================== */

static void option_grace_wins_over_env(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--grace", "1", "cmd"), ENV("PIDONE_GRACE=3"));
	assert_int_equal(cfg.grace_ms, 1000);
}

static void option_g_wins_over_env_single_child(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-g", "cmd"), ENV("PIDONE_SINGLE_CHILD=1"));
	assert_false(cfg.single_child);
}

static void option_g_wins_over_dumb_init_setsid_0(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-g", "cmd"), ENV("DUMB_INIT_SETSID=0"));
	assert_false(cfg.single_child);
}

static void option_c_wins_over_env_single_child_0(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-c", "cmd"), ENV("PIDONE_SINGLE_CHILD=0"));
	assert_true(cfg.single_child);
}

static void option_c_wins_over_tini_kill_process_group(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-c", "cmd"), ENV("TINI_KILL_PROCESS_GROUP=1"));
	assert_true(cfg.single_child);
}

static void option_v_wins_over_env_verbosity_0(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-v", "cmd"), ENV("PIDONE_VERBOSITY=0"));
	assert_int_equal(cfg.verbosity, 1);
}

static void option_q_wins_over_env_quiet_0(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-q", "cmd"), ENV("PIDONE_QUIET=0"));
	assert_true(cfg.quiet);
}

static void option_w_wins_over_env_warn_reap_0(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-w", "cmd"), ENV("PIDONE_WARN_REAP=0"));
	assert_true(cfg.warn_reap);
}

static void option_rewrite_wins_over_env(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-r", "15:2", "cmd"), ENV("PIDONE_REWRITE=15:3"));
	assert_int_equal(cfg.rewrite[SIGTERM], SIGINT);
}

static void option_pdeath_signal_wins_over_env(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-p", "KILL", "cmd"), ENV("PIDONE_PDEATH_SIGNAL=TERM"));
	assert_int_equal(cfg.pdeath_signal, SIGKILL);
}

static void option_P_wins_over_env_pause_0(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-P"), ENV("PIDONE_PAUSE=0"));
	assert_int_equal(cfg.action, ACT_PAUSE);
}

static void option_drain_signal_wins_over_env(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--drain-signal", "INT", "cmd"),
		 ENV("PIDONE_DRAIN_SIGNAL=QUIT"));
	assert_int_equal(cfg.drain_signal, SIGINT);
}

static void option_no_drain_wins_over_env_drain_1(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--no-drain", "cmd"), ENV("PIDONE_DRAIN=1"));
	assert_false(cfg.drain);
}

static void option_log_format_wins_over_env(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--log-format", "text", "cmd"), ENV("PIDONE_LOG_FORMAT=json"));
	assert_int_equal(cfg.log_format, LOG_TEXT);
}

/* ====================================================================== */
/* Routing: which signals go to the group, which to the command alone     */
/* ====================================================================== */

#define B(sig) SIGBIT(sig)

static void default_routes_the_stop_signals_and_sigcont_to_the_group(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	assert_true(cfg.group_signals == (B(SIGTERM) | B(SIGINT) | B(SIGQUIT) | B(SIGCONT)));
	assert_false(cfg.group_all);
	assert_string_equal(cfg.route_from, "");
}

static void default_routes_hup_and_the_rest_to_the_command_alone(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	assert_false(cfg.group_signals & B(SIGHUP));
	assert_false(cfg.group_signals & B(SIGUSR1));
	assert_false(cfg.group_signals & B(SIGTTIN));
	assert_false(cfg.group_signals & B(SIGWINCH));
	assert_false(cfg.group_signals & B(64));
}

static void drain_signal_joins_the_group_signals(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--drain-signal", "USR2", "cmd"), NOENV);
	assert_true(cfg.group_signals == (GROUP_SIGNALS_DEFAULT | B(SIGUSR2)));
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_DRAIN_SIGNAL=RTMIN+2"));
	assert_true(cfg.group_signals == (GROUP_SIGNALS_DEFAULT | B(36)));
}

static void g_with_child_signals_keeps_those_for_the_command(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-g", "--child-signals", "HUP,TTIN", "cmd"), NOENV);
	assert_true(cfg.group_signals == (UINT64_MAX & ~B(SIGHUP) & ~B(SIGTTIN)));
	assert_string_equal(cfg.route_from, "-g, --child-signals");
}

static void group_signals_adds_to_the_group(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--group-signals", "HUP,USR1", "cmd"), NOENV);
	assert_true(cfg.group_signals == (GROUP_SIGNALS_DEFAULT | B(SIGHUP) | B(SIGUSR1)));
	assert_string_equal(cfg.route_from, "--group-signals");
}

static void group_signals_takes_names_numbers_and_realtime(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--group-signals=1,SIGUSR2,sigwinch,RTMIN+1,64", "cmd"), NOENV);
	assert_true(cfg.group_signals == (GROUP_SIGNALS_DEFAULT | B(1) | B(SIGUSR2) |
					  B(SIGWINCH) | B(35) | B(64)));
}

static void child_signals_takes_stop_signals_out_of_the_group(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--child-signals", "INT,QUIT", "cmd"), NOENV);
	assert_true(cfg.group_signals == (B(SIGTERM) | B(SIGCONT)));
}

static void child_signals_may_take_out_the_drain_signal(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--drain-signal", "USR1", "--child-signals", "USR1", "cmd"),
		 NOENV);
	assert_true(cfg.group_signals == GROUP_SIGNALS_DEFAULT);
}

static void group_and_child_signals_repeat_and_the_last_move_wins(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--group-signals", "HUP", "--group-signals", "USR1",
		      "--child-signals", "HUP", "cmd"), NOENV);
	assert_true(cfg.group_signals == (GROUP_SIGNALS_DEFAULT | B(SIGUSR1)));
	accepted(ARGV("pidone", "--child-signals", "TERM", "--group-signals", "TERM", "cmd"),
		 NOENV);
	assert_true(cfg.group_signals == GROUP_SIGNALS_DEFAULT);
}

static void env_group_and_child_signals_move_signals(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"),
		 ENV("PIDONE_GROUP_SIGNALS=HUP,12", "PIDONE_CHILD_SIGNALS=SIGQUIT"));
	assert_true(cfg.group_signals ==
		    ((GROUP_SIGNALS_DEFAULT | B(SIGHUP) | B(12)) & ~B(SIGQUIT)));
	assert_string_equal(cfg.route_from, "PIDONE_GROUP_SIGNALS, PIDONE_CHILD_SIGNALS");
}

static void option_lists_move_signals_after_the_env_lists(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--child-signals", "HUP", "cmd"),
		 ENV("PIDONE_GROUP_SIGNALS=HUP,USR1"));
	assert_true(cfg.group_signals == (GROUP_SIGNALS_DEFAULT | B(SIGUSR1)));
}

static void c_with_child_signals_is_accepted(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-c", "--child-signals", "HUP", "cmd"), NOENV);
	assert_true(cfg.group_signals == 0);
}

static void env_process_group_1_signals_the_group(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_PROCESS_GROUP=1"));
	assert_true(cfg.group_all);
	assert_true(cfg.group_signals == UINT64_MAX);
	assert_string_equal(cfg.route_from, "PIDONE_PROCESS_GROUP");
}

static void env_process_group_0_keeps_the_default_routing(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"),
		 ENV("TINI_KILL_PROCESS_GROUP=1", "PIDONE_PROCESS_GROUP=0"));
	assert_false(cfg.group_all);
	assert_true(cfg.group_signals == GROUP_SIGNALS_DEFAULT);
}

static void option_c_wins_over_env_process_group(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-c", "cmd"), ENV("PIDONE_PROCESS_GROUP=1"));
	assert_true(cfg.single_child);
	assert_true(cfg.group_signals == 0);
}

static void option_g_wins_over_dumb_init_setsid_0_routing(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "-g", "cmd"), ENV("DUMB_INIT_SETSID=0"));
	assert_true(cfg.group_signals == UINT64_MAX);
}

static void group_signals_with_c_is_rejected(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-c", "--group-signals", "HUP", "cmd"), NOENV,
		 "--group-signals", "-c");
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_SINGLE_CHILD=1", "PIDONE_GROUP_SIGNALS=HUP"),
		 "PIDONE_GROUP_SIGNALS", "-c");
	rejected(ARGV("pidone", "--group-signals", "USR1", "cmd"), ENV("DUMB_INIT_SETSID=0"),
		 "--group-signals", "-c");
}

static void env_single_child_and_process_group_together_are_rejected(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_SINGLE_CHILD=1", "PIDONE_PROCESS_GROUP=1"),
		 "PIDONE_SINGLE_CHILD", "PIDONE_PROCESS_GROUP");
}

static void group_signals_unknown_name_is_rejected(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--group-signals", "HUP,NOSUCH", "cmd"), NOENV,
		 "--group-signals", "NOSUCH");
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_CHILD_SIGNALS=USR1,bogus"),
		 "PIDONE_CHILD_SIGNALS", "bogus");
}

static void group_signals_out_of_range_is_rejected(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--group-signals", "65", "cmd"), NOENV, "--group-signals", "65");
	rejected(ARGV("pidone", "--child-signals", "0", "cmd"), NOENV, "--child-signals", "0");
	rejected(ARGV("pidone", "--child-signals", "-1", "cmd"), NOENV, "--child-signals", "-1");
}

static void signals_pidone_never_forwards_are_rejected(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--group-signals", "KILL", "cmd"), NOENV, "--group-signals", "KILL");
	rejected(ARGV("pidone", "--child-signals", "SIGSTOP", "cmd"), NOENV,
		 "--child-signals", "SIGSTOP");
	rejected(ARGV("pidone", "--child-signals", "17", "cmd"), NOENV, "--child-signals", "17");
}

static void empty_signal_list_or_item_is_rejected(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--group-signals", "", "cmd"), NOENV, "--group-signals", "empty");
	rejected(ARGV("pidone", "--group-signals", "HUP,,USR1", "cmd"), NOENV,
		 "--group-signals", "empty");
	rejected(ARGV("pidone", "--child-signals", "HUP,", "cmd"), NOENV,
		 "--child-signals", "empty");
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_GROUP_SIGNALS="), "PIDONE_GROUP_SIGNALS",
		 "empty");
}

static void group_signals_needs_a_value(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--group-signals"), NOENV, "--group-signals", NULL);
}

/* ====================================================================== */
/* --user, --expand-env, --explain                                        */
/* ====================================================================== */

static void user_option_keeps_the_spec(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--user", "postgres:ssl-cert", "cmd"), NOENV);
	assert_string_equal(cfg.user, "postgres:ssl-cert");
	accepted(ARGV("pidone", "--user=1000", "cmd"), NOENV);
	assert_string_equal(cfg.user, "1000");
}

static void user_by_default_is_none(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	assert_null(cfg.user);
	assert_false(cfg.expand_env);
	assert_false(cfg.explain);
}

static void user_malformed_is_rejected_naming_the_option(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--user", "a:b:c", "cmd"), NOENV, "--user", "a:b:c");
	rejected(ARGV("pidone", "--user", "", "cmd"), NOENV, "--user", NULL);
	rejected(ARGV("pidone", "--user", "app:", "cmd"), NOENV, "--user", "app:");
}

static void env_pidone_user(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_USER=app"));
	assert_string_equal(cfg.user, "app");
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_USER=:x"), "PIDONE_USER", ":x");
}

static void env_pidone_user_empty_is_none(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_USER="));
	assert_null(cfg.user);
}

static void option_user_wins_over_env(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--user", "b", "cmd"), ENV("PIDONE_USER=a"));
	assert_string_equal(cfg.user, "b");
}

static void pause_mode_refuses_a_user(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-P", "--user", "app"), NOENV, "pause", "app");
	rejected(ARGV("pidone", "-P"), ENV("PIDONE_USER=app"), "pause", "app");
}

static void expand_env_option_and_variable(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--expand-env", "cmd"), NOENV);
	assert_true(cfg.expand_env);
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_EXPAND_ENV=1"));
	assert_true(cfg.expand_env);
	rejected(ARGV("pidone", "--expand-env=1", "cmd"), NOENV, "--expand-env", NULL);
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_EXPAND_ENV=maybe"), "PIDONE_EXPAND_ENV",
		 "maybe");
}

static void expand_env_leaves_the_command_to_main(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--expand-env", "echo", "${X}"), NOENV);
	assert_string_equal(cfg.argv[1], "${X}"); /* the parser stays pure */
}

static void explain_option_and_variable(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--explain", "cmd"), NOENV);
	assert_true(cfg.explain);
	assert_int_equal(cfg.action, ACT_RUN);
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_EXPLAIN=1"));
	assert_true(cfg.explain);
	accepted(ARGV("pidone", "-P", "--explain"), NOENV);
	assert_true(cfg.explain);
	assert_int_equal(cfg.action, ACT_PAUSE);
}

static void explain_still_needs_a_command(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--explain"), NOENV, "command", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* defaults */
		cmocka_unit_test(default_runs_the_command),
		cmocka_unit_test(default_drain_is_on),
		cmocka_unit_test(default_grace_is_5000_ms),
		cmocka_unit_test(default_drain_signal_is_term),
		cmocka_unit_test(default_rewrite_is_identity),
		cmocka_unit_test(default_verbosity_is_0),
		cmocka_unit_test(default_switches_are_off),
		/* where options end */
		cmocka_unit_test(options_stop_at_the_first_operand),
		cmocka_unit_test(options_after_the_command_are_the_commands),
		cmocka_unit_test(double_dash_ends_options),
		cmocka_unit_test(double_dash_lets_the_command_start_with_a_dash),
		cmocka_unit_test(second_double_dash_belongs_to_the_command),
		cmocka_unit_test(lone_dash_is_an_operand),
		/* short and long forms */
		cmocka_unit_test(short_flags_cluster),
		cmocka_unit_test(cluster_may_end_with_an_option_and_its_value),
		cmocka_unit_test(short_value_attached),
		cmocka_unit_test(short_value_separate),
		cmocka_unit_test(long_value_after_equals),
		cmocka_unit_test(long_value_separate),
		/* every option */
		cmocka_unit_test(h_shows_help),
		cmocka_unit_test(help_shows_help),
		cmocka_unit_test(V_shows_the_version),
		cmocka_unit_test(version_shows_the_version),
		cmocka_unit_test(l_shows_the_license),
		cmocka_unit_test(L_shows_the_license),
		cmocka_unit_test(license_shows_the_license),
		cmocka_unit_test(v_adds_one_level),
		cmocka_unit_test(verbose_repeated_adds_a_level_each),
		cmocka_unit_test(q_turns_quiet_on),
		cmocka_unit_test(quiet_turns_quiet_on),
		cmocka_unit_test(w_turns_warn_reap_on),
		cmocka_unit_test(warn_reap_turns_warn_reap_on),
		cmocka_unit_test(c_signals_the_child_only),
		cmocka_unit_test(single_child_signals_the_child_only),
		cmocka_unit_test(g_signals_the_group),
		cmocka_unit_test(process_group_signals_the_group),
		cmocka_unit_test(r_rewrites_one_signal),
		cmocka_unit_test(rewrite_takes_signal_names),
		cmocka_unit_test(rewrite_takes_realtime_names),
		cmocka_unit_test(rewrite_to_0_drops_the_signal),
		cmocka_unit_test(rewrite_repeats),
		cmocka_unit_test(e_remaps_one_exit_code),
		cmocka_unit_test(remap_exit_repeats),
		cmocka_unit_test(p_sets_the_parent_death_signal),
		cmocka_unit_test(pdeath_signal_takes_names_and_numbers),
		cmocka_unit_test(s_is_accepted_and_changes_nothing),
		cmocka_unit_test(subreaper_is_accepted_and_changes_nothing),
		cmocka_unit_test(P_is_pause_mode),
		cmocka_unit_test(pause_is_pause_mode),
		cmocka_unit_test(grace_in_seconds_becomes_milliseconds),
		cmocka_unit_test(grace_takes_up_to_three_decimals),
		cmocka_unit_test(grace_0_kills_at_once),
		cmocka_unit_test(grace_of_a_day_is_allowed),
		cmocka_unit_test(drain_signal_sets_the_drain_signal),
		cmocka_unit_test(no_drain_turns_drain_off),
		cmocka_unit_test(log_format_json),
		cmocka_unit_test(log_format_text),
		/* pause mode and the command */
		cmocka_unit_test(invoked_as_pause_is_pause_mode),
		cmocka_unit_test(invoked_as_a_path_ending_in_pause_is_pause_mode),
		cmocka_unit_test(only_the_basename_pause_is_pause_mode),
		cmocka_unit_test(pause_mode_with_a_command_is_an_error),
		cmocka_unit_test(invoked_as_pause_with_a_command_is_an_error),
		cmocka_unit_test(no_command_is_an_error),
		cmocka_unit_test(options_without_a_command_is_an_error),
		cmocka_unit_test(help_needs_no_command),
		/* bad command lines */
		cmocka_unit_test(unknown_short_option),
		cmocka_unit_test(unknown_short_option_in_a_cluster),
		cmocka_unit_test(unknown_long_option),
		cmocka_unit_test(unknown_long_option_with_a_value),
		cmocka_unit_test(long_flag_with_a_value),
		cmocka_unit_test(missing_value_of_a_short_option),
		cmocka_unit_test(missing_value_of_a_long_option),
		cmocka_unit_test(remap_exit_300),
		cmocka_unit_test(remap_exit_256),
		cmocka_unit_test(remap_exit_minus_1),
		cmocka_unit_test(remap_exit_not_a_number),
		cmocka_unit_test(remap_exit_long_form_names_the_long_option),
		cmocka_unit_test(rewrite_without_a_colon),
		cmocka_unit_test(rewrite_of_unknown_signals),
		cmocka_unit_test(rewrite_to_an_unknown_signal),
		cmocka_unit_test(rewrite_with_nothing_before_the_colon),
		cmocka_unit_test(rewrite_with_nothing_after_the_colon),
		cmocka_unit_test(rewrite_of_kill),
		cmocka_unit_test(rewrite_of_stop),
		cmocka_unit_test(rewrite_of_chld),
		cmocka_unit_test(pdeath_signal_unknown),
		cmocka_unit_test(pdeath_signal_0_means_none),
		cmocka_unit_test(drain_signal_unknown),
		cmocka_unit_test(grace_negative),
		cmocka_unit_test(grace_with_four_decimals),
		cmocka_unit_test(grace_not_a_number),
		cmocka_unit_test(grace_with_a_unit),
		cmocka_unit_test(grace_empty),
		cmocka_unit_test(grace_over_a_day),
		cmocka_unit_test(log_format_xml),
		cmocka_unit_test(c_and_g_together),
		cmocka_unit_test(g_and_c_together),
		cmocka_unit_test(message_fits_a_small_buffer),
		/* environment: pidone's own */
		cmocka_unit_test(env_pidone_verbosity_sets_the_level),
		cmocka_unit_test(env_variables_among_others_are_found),
		cmocka_unit_test(env_first_of_a_repeated_variable_wins),
		cmocka_unit_test(env_with_dozens_of_own_variables_still_read),
		cmocka_unit_test(env_pidone_verbosity_not_a_number),
		cmocka_unit_test(env_pidone_quiet_1_on),
		cmocka_unit_test(env_pidone_quiet_0_off),
		cmocka_unit_test(env_pidone_warn_reap_1_on),
		cmocka_unit_test(env_pidone_single_child_1_on),
		cmocka_unit_test(env_pidone_single_child_0_off),
		cmocka_unit_test(env_pidone_single_child_maybe),
		cmocka_unit_test(env_switches_take_yes_true_on_and_no_false_off),
		cmocka_unit_test(env_pidone_rewrite_list),
		cmocka_unit_test(env_pidone_rewrite_bad_item),
		cmocka_unit_test(env_pidone_remap_exit_list),
		cmocka_unit_test(env_pidone_remap_exit_bad_item),
		cmocka_unit_test(env_pidone_pdeath_signal),
		cmocka_unit_test(env_pidone_pdeath_signal_unknown),
		cmocka_unit_test(env_pidone_subreaper_changes_nothing),
		cmocka_unit_test(env_pidone_subreaper_maybe),
		cmocka_unit_test(env_pidone_pause_1_is_pause_mode),
		cmocka_unit_test(env_pidone_pause_0_runs_the_command),
		cmocka_unit_test(env_pidone_grace),
		cmocka_unit_test(env_pidone_grace_not_a_number),
		cmocka_unit_test(env_pidone_drain_signal),
		cmocka_unit_test(env_pidone_drain_0_turns_drain_off),
		cmocka_unit_test(env_pidone_drain_1_keeps_drain_on),
		cmocka_unit_test(env_pidone_drain_maybe),
		cmocka_unit_test(env_pidone_log_format),
		cmocka_unit_test(env_pidone_log_format_xml),
		cmocka_unit_test(env_names_match_exactly),
		/* environment: the peers' */
		cmocka_unit_test(env_tini_subreaper_is_accepted_and_changes_nothing),
		cmocka_unit_test(env_tini_verbosity_counts_from_tinis_default_1),
		cmocka_unit_test(env_tini_kill_process_group_signals_the_group),
		cmocka_unit_test(env_dumb_init_setsid_0_signals_the_child_only),
		cmocka_unit_test(env_dumb_init_setsid_1_keeps_the_default_routing),
		cmocka_unit_test(env_pidone_variable_wins_over_the_peers),
		/* options win over the environment */
		cmocka_unit_test(option_grace_wins_over_env),
		cmocka_unit_test(option_g_wins_over_env_single_child),
		cmocka_unit_test(option_g_wins_over_dumb_init_setsid_0),
		cmocka_unit_test(option_c_wins_over_env_single_child_0),
		cmocka_unit_test(option_c_wins_over_tini_kill_process_group),
		cmocka_unit_test(option_v_wins_over_env_verbosity_0),
		cmocka_unit_test(option_q_wins_over_env_quiet_0),
		cmocka_unit_test(option_w_wins_over_env_warn_reap_0),
		cmocka_unit_test(option_rewrite_wins_over_env),
		cmocka_unit_test(option_pdeath_signal_wins_over_env),
		cmocka_unit_test(option_P_wins_over_env_pause_0),
		cmocka_unit_test(option_drain_signal_wins_over_env),
		cmocka_unit_test(option_no_drain_wins_over_env_drain_1),
		cmocka_unit_test(option_log_format_wins_over_env),
		/* routing */
		cmocka_unit_test(default_routes_the_stop_signals_and_sigcont_to_the_group),
		cmocka_unit_test(default_routes_hup_and_the_rest_to_the_command_alone),
		cmocka_unit_test(drain_signal_joins_the_group_signals),
		cmocka_unit_test(g_with_child_signals_keeps_those_for_the_command),
		cmocka_unit_test(group_signals_adds_to_the_group),
		cmocka_unit_test(group_signals_takes_names_numbers_and_realtime),
		cmocka_unit_test(child_signals_takes_stop_signals_out_of_the_group),
		cmocka_unit_test(child_signals_may_take_out_the_drain_signal),
		cmocka_unit_test(group_and_child_signals_repeat_and_the_last_move_wins),
		cmocka_unit_test(env_group_and_child_signals_move_signals),
		cmocka_unit_test(option_lists_move_signals_after_the_env_lists),
		cmocka_unit_test(c_with_child_signals_is_accepted),
		cmocka_unit_test(env_process_group_1_signals_the_group),
		cmocka_unit_test(env_process_group_0_keeps_the_default_routing),
		cmocka_unit_test(option_c_wins_over_env_process_group),
		cmocka_unit_test(option_g_wins_over_dumb_init_setsid_0_routing),
		cmocka_unit_test(group_signals_with_c_is_rejected),
		cmocka_unit_test(env_single_child_and_process_group_together_are_rejected),
		cmocka_unit_test(group_signals_unknown_name_is_rejected),
		cmocka_unit_test(group_signals_out_of_range_is_rejected),
		cmocka_unit_test(signals_pidone_never_forwards_are_rejected),
		cmocka_unit_test(empty_signal_list_or_item_is_rejected),
		cmocka_unit_test(group_signals_needs_a_value),
		/* --user, --expand-env, --explain */
		cmocka_unit_test(user_option_keeps_the_spec),
		cmocka_unit_test(user_by_default_is_none),
		cmocka_unit_test(user_malformed_is_rejected_naming_the_option),
		cmocka_unit_test(env_pidone_user),
		cmocka_unit_test(env_pidone_user_empty_is_none),
		cmocka_unit_test(option_user_wins_over_env),
		cmocka_unit_test(pause_mode_refuses_a_user),
		cmocka_unit_test(expand_env_option_and_variable),
		cmocka_unit_test(expand_env_leaves_the_command_to_main),
		cmocka_unit_test(explain_option_and_variable),
		cmocka_unit_test(explain_still_needs_a_command),
	};

	printf("options.c: config_parse\n");
	return cmocka_run_group_tests_name("options.c", tests, NULL, NULL);
}
