/* test_signames.c: signal names to numbers and back (signames.c).
 *
 * signal_parse() takes what kill(1), tini -p and dumb-init -r take: a number
 * 1..64, a name with or without SIG in any case, or a real-time name counted
 * the way glibc, bash and procps count it (RTMIN = 34, RTMAX = 64). Anything
 * else is 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pidone.h"

/* Every standard signal, by the name pidone knows it under. */
static const struct {
	const char *name;
	int sig;
} standard[] = {
	{ "HUP", SIGHUP },       { "INT", SIGINT },       { "QUIT", SIGQUIT },
	{ "ILL", SIGILL },       { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },
	{ "BUS", SIGBUS },       { "FPE", SIGFPE },       { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },     { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE },     { "ALRM", SIGALRM },     { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },     { "CONT", SIGCONT },
	{ "STOP", SIGSTOP },     { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU },     { "URG", SIGURG },       { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH },   { "IO", SIGIO },         { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};
#define NSTANDARD (sizeof standard / sizeof standard[0])

/* ---- signal_parse: numbers ---------------------------------------------- */

static void every_number_from_1_to_64_is_a_signal(void **state)
{
	char text[8];

	(void)state;
	for (int n = 1; n <= 64; n++) {
		snprintf(text, sizeof text, "%d", n);
		assert_int_equal(signal_parse(text), n);
	}
}

static void number_0_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("0"), 0);
}

static void number_65_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("65"), 0);
	assert_int_equal(signal_parse("99999999999999999999"), 0);
}

static void negative_number_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("-15"), 0);
}

/* ---- signal_parse: names ------------------------------------------------ */

static void term_is_15(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("TERM"), SIGTERM);
}

static void sigterm_is_15(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("SIGTERM"), SIGTERM);
}

static void lower_case_sigterm_is_15(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("sigterm"), SIGTERM);
}

static void mixed_case_term_is_15(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("Term"), SIGTERM);
	assert_int_equal(signal_parse("SigTerm"), SIGTERM);
}

static void every_standard_name_is_its_signal(void **state)
{
	char text[16];

	(void)state;
	for (size_t i = 0; i < NSTANDARD; i++) {
		assert_int_equal(signal_parse(standard[i].name), standard[i].sig);
		snprintf(text, sizeof text, "SIG%s", standard[i].name);
		assert_int_equal(signal_parse(text), standard[i].sig);
	}
}

/* ---- signal_parse: real-time names ---------------------------------------- */

static void rtmin_is_34(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMIN"), 34);
	assert_int_equal(signal_parse("SIGRTMIN"), 34);
}

static void rtmin_plus_1_is_35(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMIN+1"), 35);
	assert_int_equal(signal_parse("sigrtmin+1"), 35);
}

static void rtmin_plus_30_is_64_the_last(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMIN+30"), 64);
}

static void rtmin_plus_31_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMIN+31"), 0);
}

static void rtmax_is_64(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMAX"), 64);
}

static void sigrtmax_minus_2_is_62(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("SIGRTMAX-2"), 62);
}

static void rtmax_minus_30_is_34_the_first(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMAX-30"), 34);
	assert_int_equal(signal_parse("RTMAX-31"), 0);
}

static void rtmin_counts_up_and_rtmax_counts_down_only(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMIN-1"), 0);
	assert_int_equal(signal_parse("RTMAX+1"), 0);
}

static void realtime_offset_must_be_a_number(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("RTMIN+"), 0);
	assert_int_equal(signal_parse("RTMIN+x"), 0);
	assert_int_equal(signal_parse("RTMIN+1x"), 0);
	assert_int_equal(signal_parse("RTMIN++1"), 0);
	assert_int_equal(signal_parse("RTMIN 1"), 0);
	assert_int_equal(signal_parse("RTMINX"), 0);
}

/* ---- signal_parse: junk ----------------------------------------------------- */

static void empty_text_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse(""), 0);
}

static void bare_sig_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("SIG"), 0);
}

static void name_with_trailing_junk_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("TERMX"), 0);
	assert_int_equal(signal_parse("TER"), 0);
	assert_int_equal(signal_parse("SIGSIGTERM"), 0);
}

static void sign_without_name_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("+1"), 0);
}

static void number_with_trailing_junk_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("15x"), 0);
	assert_int_equal(signal_parse("15 "), 0);
	assert_int_equal(signal_parse("1.5"), 0);
}

static void leading_space_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(signal_parse(" 15"), 0);
	assert_int_equal(signal_parse(" TERM"), 0);
}

/* ---- signal_name ------------------------------------------------------------ */

static void name_of_15_is_sigterm(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(signal_name(SIGTERM, buf), "SIGTERM");
}

static void name_of_every_standard_signal_is_sig_and_its_name(void **state)
{
	char buf[16], want[16];

	(void)state;
	for (size_t i = 0; i < NSTANDARD; i++) {
		snprintf(want, sizeof want, "SIG%s", standard[i].name);
		assert_string_equal(signal_name(standard[i].sig, buf), want);
	}
}

static void name_returns_the_buffer_it_was_given(void **state)
{
	char buf[16];

	(void)state;
	assert_ptr_equal(signal_name(SIGINT, buf), buf);
}

static void name_of_35_is_sigrtmin_plus_1(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(signal_name(35, buf), "SIGRTMIN+1");
}

static void name_of_34_starts_with_sigrtmin(void **state)
{
	char buf[16];

	(void)state;
	signal_name(34, buf);
	assert_int_equal(strncmp(buf, "SIGRTMIN", 8), 0);
}

static void name_of_64_is_the_last_realtime_signal(void **state)
{
	char buf[16];

	(void)state;
	signal_name(64, buf);
	assert_int_equal(strncmp(buf, "SIGRT", 5), 0);
	assert_int_equal(signal_parse(buf), 64);
}

static void every_name_parses_back_to_its_number(void **state)
{
	char buf[16];

	(void)state;
	for (int n = 1; n <= 64; n++) {
		if (n == 32 || n == 33)
			continue; /* no name: see below */
		signal_name(n, buf);
		assert_int_equal(signal_parse(buf), n);
	}
}

static void numbers_without_a_name_are_named_signal_n(void **state)
{
	char buf[16];

	(void)state;
	/* 32 and 33: glibc's and musl's own, between SIGSYS and RTMIN. */
	assert_string_equal(signal_name(32, buf), "signal 32");
	assert_string_equal(signal_name(33, buf), "signal 33");
	assert_string_equal(signal_name(0, buf), "signal 0");
	assert_string_equal(signal_name(65, buf), "signal 65");
	assert_string_equal(signal_name(-1, buf), "signal -1");
}

static void name_of_a_huge_number_stays_in_the_buffer(void **state)
{
	char buf[16 + 8];

	(void)state;
	memset(buf, 'X', sizeof buf);
	signal_name(-2147483647 - 1, buf);
	assert_true(strlen(buf) < 16);
	for (size_t i = 16; i < sizeof buf; i++)
		assert_int_equal(buf[i], 'X');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_number_from_1_to_64_is_a_signal),
		cmocka_unit_test(number_0_is_rejected),
		cmocka_unit_test(number_65_is_rejected),
		cmocka_unit_test(negative_number_is_rejected),
		cmocka_unit_test(term_is_15),
		cmocka_unit_test(sigterm_is_15),
		cmocka_unit_test(lower_case_sigterm_is_15),
		cmocka_unit_test(mixed_case_term_is_15),
		cmocka_unit_test(every_standard_name_is_its_signal),
		cmocka_unit_test(rtmin_is_34),
		cmocka_unit_test(rtmin_plus_1_is_35),
		cmocka_unit_test(rtmin_plus_30_is_64_the_last),
		cmocka_unit_test(rtmin_plus_31_is_rejected),
		cmocka_unit_test(rtmax_is_64),
		cmocka_unit_test(sigrtmax_minus_2_is_62),
		cmocka_unit_test(rtmax_minus_30_is_34_the_first),
		cmocka_unit_test(rtmin_counts_up_and_rtmax_counts_down_only),
		cmocka_unit_test(realtime_offset_must_be_a_number),
		cmocka_unit_test(empty_text_is_rejected),
		cmocka_unit_test(bare_sig_is_rejected),
		cmocka_unit_test(name_with_trailing_junk_is_rejected),
		cmocka_unit_test(sign_without_name_is_rejected),
		cmocka_unit_test(number_with_trailing_junk_is_rejected),
		cmocka_unit_test(leading_space_is_rejected),
		cmocka_unit_test(name_of_15_is_sigterm),
		cmocka_unit_test(name_of_every_standard_signal_is_sig_and_its_name),
		cmocka_unit_test(name_returns_the_buffer_it_was_given),
		cmocka_unit_test(name_of_35_is_sigrtmin_plus_1),
		cmocka_unit_test(name_of_34_starts_with_sigrtmin),
		cmocka_unit_test(name_of_64_is_the_last_realtime_signal),
		cmocka_unit_test(every_name_parses_back_to_its_number),
		cmocka_unit_test(numbers_without_a_name_are_named_signal_n),
		cmocka_unit_test(name_of_a_huge_number_stays_in_the_buffer),
	};

	printf("signames.c: signal_parse, signal_name\n");
	return cmocka_run_group_tests_name("signames.c", tests, NULL, NULL);
}
