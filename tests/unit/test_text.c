/* test_text.c: prefixes, in any case or exact, and variables looked up in an
 * environment given as a list (text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pidone.h"

#define ENV(...) ((char *[]){ __VA_ARGS__, NULL })

/* ---- skip_prefix ----------------------------------------------------- */

static void skip_prefix_gives_what_follows_the_prefix(void **state)
{
	const char *s = "PIDONE_GRACE=3";

	(void)state;
	assert_ptr_equal(skip_prefix(s, "PIDONE_"), s + 7);
}

static void skip_prefix_of_the_whole_string_gives_its_end(void **state)
{
	const char *s = "grace";

	(void)state;
	assert_ptr_equal(skip_prefix(s, "grace"), s + 5);
}

static void skip_prefix_that_differs_gives_null(void **state)
{
	(void)state;
	assert_null(skip_prefix("PIDONE", "PIDONE_"));
	assert_null(skip_prefix("pidone_", "PIDONE_"));
	assert_null(skip_prefix("", "P"));
}

static void skip_prefix_empty_gives_the_string(void **state)
{
	const char *s = "x";

	(void)state;
	assert_ptr_equal(skip_prefix(s, ""), s);
}

/* ---- skip_prefix_nocase: the prefix in capitals, s in any case ------- */

static void skip_prefix_nocase_takes_any_case(void **state)
{
	const char *s = "sIgTeRm";

	(void)state;
	assert_ptr_equal(skip_prefix_nocase(s, "SIG"), s + 3);
	assert_ptr_equal(skip_prefix_nocase(s + 3, "TERM"), s + 7);
}

static void skip_prefix_nocase_leaves_digits_and_signs_as_they_are(void **state)
{
	const char *s = "usr1";

	(void)state;
	assert_ptr_equal(skip_prefix_nocase(s, "USR1"), s + 4);
	assert_null(skip_prefix_nocase("usr2", "USR1"));
	assert_null(skip_prefix_nocase("rtmin-1", "RTMIN+"));
}

static void skip_prefix_nocase_that_differs_gives_null(void **state)
{
	(void)state;
	assert_null(skip_prefix_nocase("TER", "TERM"));
	assert_null(skip_prefix_nocase("KILL", "TERM"));
}

/* ---- env_get --------------------------------------------------------- */

static void env_get_finds_a_variable_among_others(void **state)
{
	(void)state;
	assert_string_equal(env_get(ENV("HOME=/", "PATH=/bin:/usr/bin", "TERM=x"), "PATH"),
			    "/bin:/usr/bin");
}

static void env_get_wants_the_whole_name(void **state)
{
	(void)state;
	assert_null(env_get(ENV("PATHS=/x", "PAT=/y"), "PATH"));
}

static void env_get_gives_the_first_of_a_repeated_variable(void **state)
{
	(void)state;
	assert_string_equal(env_get(ENV("PATH=/a", "PATH=/b"), "PATH"), "/a");
}

static void env_get_gives_an_empty_value(void **state)
{
	(void)state;
	assert_string_equal(env_get(ENV("PATH="), "PATH"), "");
}

static void env_get_in_no_environment_gives_null(void **state)
{
	(void)state;
	assert_null(env_get(NULL, "PATH"));
	assert_null(env_get(ENV("X=1"), "PATH"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(skip_prefix_gives_what_follows_the_prefix),
		cmocka_unit_test(skip_prefix_of_the_whole_string_gives_its_end),
		cmocka_unit_test(skip_prefix_that_differs_gives_null),
		cmocka_unit_test(skip_prefix_empty_gives_the_string),
		cmocka_unit_test(skip_prefix_nocase_takes_any_case),
		cmocka_unit_test(skip_prefix_nocase_leaves_digits_and_signs_as_they_are),
		cmocka_unit_test(skip_prefix_nocase_that_differs_gives_null),
		cmocka_unit_test(env_get_finds_a_variable_among_others),
		cmocka_unit_test(env_get_wants_the_whole_name),
		cmocka_unit_test(env_get_gives_the_first_of_a_repeated_variable),
		cmocka_unit_test(env_get_gives_an_empty_value),
		cmocka_unit_test(env_get_in_no_environment_gives_null),
	};

	printf("text.c: find_char, find_last, skip_prefix, skip_prefix_nocase, env_get\n");
	return cmocka_run_group_tests_name("text.c", tests, NULL, NULL);
}
