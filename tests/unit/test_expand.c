/* test_expand.c: --expand-env (expand.c): ${VAR}, ${VAR:-default} and $$
 * are expanded from the environment given; everything else stays as it is;
 * an unclosed "${" is an error.
 *
 *     expands_to("--port=${PORT:-8080}", ENV("PORT=9"), "--port=9")
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pidone.h"

#define ENV(...) ((char *[]){ __VA_ARGS__, NULL })
#define NOENV ((char *[]){ NULL })

static void expands_to(const char *arg, char **envp, const char *want)
{
	char out[256];
	long n;

	memset(out, 'x', sizeof out);
	n = expand_arg(arg, envp, out, sizeof out);
	if (n < 0)
		fail_msg("'%s' rejected, want '%s'", arg, want);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void unclosed(const char *arg, char **envp)
{
	char out[64];

	if (expand_arg(arg, envp, out, sizeof out) != -1)
		fail_msg("'%s' accepted, want -1 (unclosed ${)", arg);
}

/* ---- the forms that expand ------------------------------------------ */

static void braced_variable_is_its_value(void **state)
{
	(void)state;
	expands_to("${PORT}", ENV("PORT=8080"), "8080");
	expands_to("--port=${PORT}/x", ENV("PORT=8080"), "--port=8080/x");
}

static void unset_variable_is_empty(void **state)
{
	(void)state;
	expands_to("a${NOPE}b", ENV("PORT=8080"), "ab");
}

static void variable_names_match_whole(void **state)
{
	(void)state;
	expands_to("${PORT}", ENV("PORTS=1", "POR=2", "PORT=3"), "3");
}

static void default_is_used_when_unset(void **state)
{
	(void)state;
	expands_to("${PORT:-8080}", NOENV, "8080");
}

static void default_is_used_when_empty(void **state)
{
	(void)state;
	expands_to("${PORT:-8080}", ENV("PORT="), "8080");
}

static void default_is_not_used_when_set(void **state)
{
	(void)state;
	expands_to("${PORT:-8080}", ENV("PORT=9"), "9");
}

static void default_may_be_empty(void **state)
{
	(void)state;
	expands_to("[${PORT:-}]", NOENV, "[]");
}

static void default_may_hold_spaces_and_colons(void **state)
{
	(void)state;
	expands_to("${URL:-http://h:80/a b}", NOENV, "http://h:80/a b");
}

static void default_is_expanded_too(void **state)
{
	(void)state;
	expands_to("${A:-${B}}", ENV("B=b"), "b");
	expands_to("${A:-x${B:-y}z}", NOENV, "xyz");
}

static void default_of_a_set_variable_is_not_expanded(void **state)
{
	(void)state;
	expands_to("${A:-${B}}", ENV("A=a", "B=b"), "a");
}

static void double_dollar_is_one_dollar(void **state)
{
	(void)state;
	expands_to("$$", NOENV, "$");
	expands_to("a$$b$$$$", NOENV, "a$b$$");
}

static void double_dollar_escapes_a_brace(void **state)
{
	(void)state;
	expands_to("$${PORT}", ENV("PORT=1"), "${PORT}");
}

static void double_dollar_in_a_default(void **state)
{
	(void)state;
	expands_to("${A:-$$5}", NOENV, "$5");
}

static void values_are_not_expanded_again(void **state)
{
	(void)state;
	expands_to("${A}", ENV("A=${B}", "B=b"), "${B}");
}

static void several_in_one_argument(void **state)
{
	(void)state;
	expands_to("${H}:${P:-80}", ENV("H=host"), "host:80");
}

/* ---- what stays as it is -------------------------------------------- */

static void plain_text_is_unchanged(void **state)
{
	(void)state;
	expands_to("", NOENV, "");
	expands_to("hello world", NOENV, "hello world");
}

static void bare_dollar_variable_is_literal(void **state)
{
	(void)state;
	expands_to("$PORT", ENV("PORT=1"), "$PORT");
}

static void lone_dollar_is_literal(void **state)
{
	(void)state;
	expands_to("$", NOENV, "$");
	expands_to("a$", NOENV, "a$");
	expands_to("5$ each", NOENV, "5$ each");
}

static void command_substitution_is_literal(void **state)
{
	(void)state;
	expands_to("$(id)", NOENV, "$(id)");
	expands_to("`id`", NOENV, "`id`");
}

static void other_brace_forms_are_literal(void **state)
{
	(void)state;
	expands_to("${A-x}", ENV("A=a"), "${A-x}");
	expands_to("${A:=x}", NOENV, "${A:=x}");
	expands_to("${#A}", ENV("A=a"), "${#A}");
	expands_to("${1}", NOENV, "${1}");
	expands_to("${}", NOENV, "${}");
	expands_to("${A B}", NOENV, "${A B}");
}

static void literal_form_keeps_its_inner_braces(void **state)
{
	(void)state;
	expands_to("${A-${B}}", ENV("B=b"), "${A-${B}}");
}

static void closing_brace_alone_is_literal(void **state)
{
	(void)state;
	expands_to("}{", NOENV, "}{");
}

/* ---- errors ----------------------------------------------------------- */

static void unclosed_brace_is_an_error(void **state)
{
	(void)state;
	unclosed("${PORT", NOENV);
	unclosed("${", NOENV);
	unclosed("x${PORT:-80", NOENV);
	unclosed("${A:-${B}", NOENV);
	unclosed("${A-x", NOENV);
	unclosed("${A:-x", ENV("A=set")); /* even when the default is not used */
}

static void unclosed_still_terminates_the_buffer(void **state)
{
	char out[8];

	(void)state;
	memset(out, 'x', sizeof out);
	assert_int_equal(expand_arg("ab${C", NOENV, out, sizeof out), -1);
	assert_non_null(memchr(out, '\0', sizeof out));
}

static void deep_nesting_needs_no_stack(void **state)
{
	static char arg[5 * 20000 + 1 + 20000 + 1];
	char out[8];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 20000; i++)
		n += (size_t)sprintf(arg + n, "${A:-");
	arg[n++] = 'x';
	memset(arg + n, '}', 20000);
	assert_int_equal(expand_arg(arg, NOENV, out, sizeof out), 1);
	assert_string_equal(out, "x");
	arg[n + 19999] = '\0'; /* one '}' short */
	assert_int_equal(expand_arg(arg, NOENV, out, sizeof out), -1);
}

/* ---- buffers ---------------------------------------------------------- */

static void length_is_counted_past_a_short_buffer(void **state)
{
	char out[4];

	(void)state;
	assert_int_equal(expand_arg("${A}", ENV("A=abcdef"), out, sizeof out), 6);
	assert_string_equal(out, "abc");
	assert_int_equal(expand_arg("${A}", ENV("A=abcdef"), NULL, 0), 6);
}

static void argv_is_expanded_word_by_word(void **state)
{
	char *argv[] = { "srv", "--port=${P:-80}", "${NONE}", "$$", NULL };
	char **env = ENV("P=9");
	char err[128], buf[256];
	size_t size = expand_argv_size(argv, env, err, sizeof err);
	char **out;

	(void)state;
	assert_true(size > 0 && size <= sizeof buf);
	out = expand_argv(argv, env, buf, size);
	assert_string_equal(out[0], "srv");
	assert_string_equal(out[1], "--port=9");
	assert_string_equal(out[2], ""); /* an empty argument, not none */
	assert_string_equal(out[3], "$");
	assert_null(out[4]);
	assert_string_equal(argv[1], "--port=${P:-80}"); /* the original is kept */
}

static void argv_error_names_the_argument(void **state)
{
	char *argv[] = { "srv", "--port=${PORT", NULL };
	char err[128];

	(void)state;
	assert_int_equal(expand_argv_size(argv, NOENV, err, sizeof err), 0);
	assert_non_null(strstr(err, "'--port=${PORT'"));
	assert_non_null(strstr(err, "--expand-env"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(braced_variable_is_its_value),
		cmocka_unit_test(unset_variable_is_empty),
		cmocka_unit_test(variable_names_match_whole),
		cmocka_unit_test(default_is_used_when_unset),
		cmocka_unit_test(default_is_used_when_empty),
		cmocka_unit_test(default_is_not_used_when_set),
		cmocka_unit_test(default_may_be_empty),
		cmocka_unit_test(default_may_hold_spaces_and_colons),
		cmocka_unit_test(default_is_expanded_too),
		cmocka_unit_test(default_of_a_set_variable_is_not_expanded),
		cmocka_unit_test(double_dollar_is_one_dollar),
		cmocka_unit_test(double_dollar_escapes_a_brace),
		cmocka_unit_test(double_dollar_in_a_default),
		cmocka_unit_test(values_are_not_expanded_again),
		cmocka_unit_test(several_in_one_argument),
		cmocka_unit_test(plain_text_is_unchanged),
		cmocka_unit_test(bare_dollar_variable_is_literal),
		cmocka_unit_test(lone_dollar_is_literal),
		cmocka_unit_test(command_substitution_is_literal),
		cmocka_unit_test(other_brace_forms_are_literal),
		cmocka_unit_test(literal_form_keeps_its_inner_braces),
		cmocka_unit_test(closing_brace_alone_is_literal),
		cmocka_unit_test(unclosed_brace_is_an_error),
		cmocka_unit_test(unclosed_still_terminates_the_buffer),
		cmocka_unit_test(deep_nesting_needs_no_stack),
		cmocka_unit_test(length_is_counted_past_a_short_buffer),
		cmocka_unit_test(argv_is_expanded_word_by_word),
		cmocka_unit_test(argv_error_names_the_argument),
	};

	printf("expand.c: expand_arg, expand_argv\n");
	return cmocka_run_group_tests_name("expand.c", tests, NULL, NULL);
}
