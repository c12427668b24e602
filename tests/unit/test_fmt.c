/* test_fmt.c: fmt(), the part of snprintf() pidone's messages use (fmt.c).
 * It stays pidone's own because it is async-signal-safe: with -v the
 * forwarding handler formats its line. Where it overlaps snprintf() it must
 * give exactly what snprintf() gives, so snprintf() is the reference. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pidone.h"

/* Cut output is what some of these tests are about. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* fmt() and snprintf() of the same format into buffers of the same size:
 * the same text and the same return value. */
#define SAME_AS_SNPRINTF(size, ...)                                          \
	do {                                                                  \
		char ours[size], ref[size];                                    \
		size_t n = fmt(ours, sizeof ours, __VA_ARGS__);                 \
		int want = snprintf(ref, sizeof ref, __VA_ARGS__);              \
		assert_string_equal(ours, ref);                                 \
		assert_int_equal(n, want);                                      \
	} while (0)

static void plain_text_is_copied(void **state)
{
	(void)state;
	SAME_AS_SNPRINTF(64, "pidone: no command given");
}

static void strings_and_characters_are_inserted(void **state)
{
	(void)state;
	SAME_AS_SNPRINTF(64, "exec %s: %c%s", "/bin/x", 'N', "o such file");
}

static void string_precision_cuts_the_string(void **state)
{
	(void)state;
	SAME_AS_SNPRINTF(64, "[%.3s] [%.0s] [%.10s]", "abcdef", "gone", "short");
	SAME_AS_SNPRINTF(64, "[%.*s] [%.*s]", 2, "abcdef", 0, "gone");
}

static void signed_numbers_print_their_sign(void **state)
{
	(void)state;
	SAME_AS_SNPRINTF(64, "%d %d %d %d", 0, 7, -7, INT_MIN);
	SAME_AS_SNPRINTF(64, "%ld %ld %ld", 0L, LONG_MAX, LONG_MIN);
}

static void unsigned_numbers_print_in_full(void **state)
{
	(void)state;
	SAME_AS_SNPRINTF(64, "%u %u %lu %lu", 0u, UINT_MAX, 0UL, ULONG_MAX);
}

static void percent_percent_is_one_percent(void **state)
{
	(void)state;
	SAME_AS_SNPRINTF(64, "100%% of %d", 5);
}

static void a_short_buffer_is_cut_and_still_terminated(void **state)
{
	(void)state;
	SAME_AS_SNPRINTF(8, "forwarded %s to %d", "SIGTERM", 12345);
	SAME_AS_SNPRINTF(1, "anything %d", 1);
}

static void the_return_value_is_the_length_it_would_have_written(void **state)
{
	char buf[4];

	(void)state;
	assert_int_equal(fmt(buf, sizeof buf, "%s=%d", "grace", 5000), 10);
	assert_string_equal(buf, "gra");
}

static void a_zero_size_writes_nothing(void **state)
{
	char buf[2] = { 'x', 'y' };

	(void)state;
	assert_int_equal(fmt(buf, 0, "%s", "abc"), 3);
	assert_int_equal(buf[0], 'x');
}

static void a_null_string_prints_as_null(void **state)
{
	char buf[16];
	const char *none = NULL;

	(void)state;
	fmt(buf, sizeof buf, "<%s>", none);
	assert_string_equal(buf, "<(null)>");
}

/* Not snprintf(): a conversion fmt() does not know is shown, not guessed. */
static void an_unknown_conversion_is_shown_as_written(void **state)
{
	const char *format = "%x and %"; /* out of the compiler's sight */
	char buf[32];

	(void)state;
	fmt(buf, sizeof buf, format, 17);
	assert_string_equal(buf, "%x and %");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_text_is_copied),
		cmocka_unit_test(strings_and_characters_are_inserted),
		cmocka_unit_test(string_precision_cuts_the_string),
		cmocka_unit_test(signed_numbers_print_their_sign),
		cmocka_unit_test(unsigned_numbers_print_in_full),
		cmocka_unit_test(percent_percent_is_one_percent),
		cmocka_unit_test(a_short_buffer_is_cut_and_still_terminated),
		cmocka_unit_test(the_return_value_is_the_length_it_would_have_written),
		cmocka_unit_test(a_zero_size_writes_nothing),
		cmocka_unit_test(a_null_string_prints_as_null),
		cmocka_unit_test(an_unknown_conversion_is_shown_as_written),
	};

	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
