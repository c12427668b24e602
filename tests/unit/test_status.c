/* test_status.c: a wait status to pidone's exit code (status.c).
 *
 * The statuses are built by hand, the inverse of the W* macros of
 * <sys/wait.h>:  exited with code C  ->  C << 8
 *                killed by signal S  ->  S
 *                killed, core dumped ->  S | 0x80
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pidone.h"

static int exited(int code) { return code << 8; }
static int signalled(int sig) { return sig; }
static int core_dumped(int sig) { return sig | 0x80; }

/* ---- exit_code: the shell's convention ------------------------------- */

static void exited_0_gives_0(void **state)
{
	(void)state;
	assert_int_equal(exit_code(exited(0)), 0);
}

static void exited_1_gives_1(void **state)
{
	(void)state;
	assert_int_equal(exit_code(exited(1)), 1);
}

static void exited_42_gives_42(void **state)
{
	(void)state;
	assert_int_equal(exit_code(exited(42)), 42);
}

static void exited_255_gives_255(void **state)
{
	(void)state;
	assert_int_equal(exit_code(exited(255)), 255);
}

static void killed_by_term_gives_143(void **state)
{
	(void)state;
	assert_int_equal(exit_code(signalled(SIGTERM)), 143);
}

static void killed_by_kill_gives_137(void **state)
{
	(void)state;
	assert_int_equal(exit_code(signalled(SIGKILL)), 137);
}

static void killed_by_segv_gives_139(void **state)
{
	(void)state;
	assert_int_equal(exit_code(signalled(SIGSEGV)), 139);
}

static void core_dump_does_not_change_the_code(void **state)
{
	(void)state;
	assert_int_equal(exit_code(core_dumped(SIGSEGV)), 139);
	assert_int_equal(exit_code(core_dumped(SIGABRT)), 134);
}

static void killed_by_realtime_signal_gives_128_plus_n(void **state)
{
	(void)state;
	assert_int_equal(exit_code(signalled(34)), 162);
	assert_int_equal(exit_code(signalled(64)), 192);
}

/* ---- exit_code_remap: -e CODE reports CODE as 0 ----------------------- */

static void set_remap(struct config *cfg, int code)
{
	cfg->remap_exit[code / 64] |= UINT64_C(1) << (code % 64);
}

static void remap_turns_a_listed_code_into_0(void **state)
{
	static struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	set_remap(&cfg, 143);
	assert_int_equal(exit_code_remap(&cfg, 143), 0);
}

static void remap_keeps_codes_that_are_not_listed(void **state)
{
	static struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	set_remap(&cfg, 143);
	assert_int_equal(exit_code_remap(&cfg, 142), 142);
	assert_int_equal(exit_code_remap(&cfg, 144), 144);
	assert_int_equal(exit_code_remap(&cfg, 137), 137);
	assert_int_equal(exit_code_remap(&cfg, 15), 15);  /* 143 % 128 */
	assert_int_equal(exit_code_remap(&cfg, 79), 79);  /* 143 % 64 */
	assert_int_equal(exit_code_remap(&cfg, 1), 1);
}

static void remap_with_nothing_listed_changes_nothing(void **state)
{
	static struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	for (int code = 0; code < 256; code++)
		assert_int_equal(exit_code_remap(&cfg, code), code);
}

static void remap_works_at_every_word_boundary(void **state)
{
	static const int edges[] = { 0, 1, 63, 64, 127, 128, 191, 192, 255 };
	static struct config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		memset(&cfg, 0, sizeof cfg);
		set_remap(&cfg, edges[i]);
		for (int code = 0; code < 256; code++)
			assert_int_equal(exit_code_remap(&cfg, code),
					 code == edges[i] ? 0 : code);
	}
}

static void remap_handles_several_codes(void **state)
{
	static struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	set_remap(&cfg, 143);
	set_remap(&cfg, 130);
	assert_int_equal(exit_code_remap(&cfg, 143), 0);
	assert_int_equal(exit_code_remap(&cfg, 130), 0);
	assert_int_equal(exit_code_remap(&cfg, 137), 137);
}

static void remap_ignores_codes_outside_0_to_255(void **state)
{
	static struct config cfg;

	(void)state;
	memset(&cfg, 0xff, sizeof cfg); /* every code listed */
	assert_int_equal(exit_code_remap(&cfg, -1), -1);
	assert_int_equal(exit_code_remap(&cfg, 256), 256);
	assert_int_equal(exit_code_remap(&cfg, 255), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exited_0_gives_0),
		cmocka_unit_test(exited_1_gives_1),
		cmocka_unit_test(exited_42_gives_42),
		cmocka_unit_test(exited_255_gives_255),
		cmocka_unit_test(killed_by_term_gives_143),
		cmocka_unit_test(killed_by_kill_gives_137),
		cmocka_unit_test(killed_by_segv_gives_139),
		cmocka_unit_test(core_dump_does_not_change_the_code),
		cmocka_unit_test(killed_by_realtime_signal_gives_128_plus_n),
		cmocka_unit_test(remap_turns_a_listed_code_into_0),
		cmocka_unit_test(remap_keeps_codes_that_are_not_listed),
		cmocka_unit_test(remap_with_nothing_listed_changes_nothing),
		cmocka_unit_test(remap_works_at_every_word_boundary),
		cmocka_unit_test(remap_handles_several_codes),
		cmocka_unit_test(remap_ignores_codes_outside_0_to_255),
	};

	printf("status.c: exit_code, exit_code_remap\n");
	return cmocka_run_group_tests_name("status.c", tests, NULL, NULL);
}
