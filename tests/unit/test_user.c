/* test_user.c: --user USER[:GROUP] against /etc/passwd and /etc/group given
 * as text (user.c): uid, gid, supplementary groups and HOME, as gosu gives
 * them.
 *
 *     resolve("app", PASSWD, GROUP) -> id.uid 2000, id.gid 2000, groups 3001,3002
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pidone.h"

static const char PASSWD[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"# a comment is no user\n"
	"broken:x:notanumber:1::/:/bin/sh\n"
	"short:x:5\n"
	"app:x:2000:2000:App,,,:/home/app:/bin/sh\n"
	"nohome:x:2001:2000:::/bin/sh\n"
	"4000:x:2002:2000::/home/named-by-number:/bin/sh\n"
	"twin:x:2000:2003::/home/twin:/bin/sh\n"
	"last:x:2004:2004::/home/last:/bin/sh"; /* no final newline */

static const char GROUP[] =
	"root:x:0:\n"
	"app:x:2000:\n"
	"extra1:x:3001:app,other\n"
	"extra2:x:3002:other,app\n"
	"notmine:x:3003:apple,ap,other\n"
	"again:x:3001:app\n" /* the same gid once more */
	"solo:x:3004:\n"
	"5000:x:3005:\n";

static struct identity id;
static char err[160];

static int resolve(const char *spec, bool home_set)
{
	memset(&id, 0x5a, sizeof id);
	err[0] = '\0';
	return user_resolve(&id, spec, PASSWD, strlen(PASSWD), GROUP, strlen(GROUP),
			    42, home_set, err, sizeof err);
}

static void resolved(const char *spec)
{
	if (resolve(spec, false) != 0)
		fail_msg("'%s' rejected: %s", spec, err);
}

static void groups_are(size_t n, const gid_t *want)
{
	assert_int_equal(id.ngroups, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(id.groups[i], want[i]);
}

static void rejected(const char *spec, const char *names)
{
	if (resolve(spec, false) != -1)
		fail_msg("'%s' accepted, want an error naming %s", spec, names);
	if (!strstr(err, names))
		fail_msg("message \"%s\" does not name %s", err, names);
}

/* ---- the spec's syntax ---------------------------------------------- */

static void spec_user_or_user_colon_group_is_well_formed(void **state)
{
	char e[96];

	(void)state;
	assert_int_equal(user_spec_check("app", e, sizeof e), 0);
	assert_int_equal(user_spec_check("app:grp", e, sizeof e), 0);
	assert_int_equal(user_spec_check("0:0", e, sizeof e), 0);
	assert_int_equal(user_spec_check("4294967294:4294967294", e, sizeof e), 0);
}

static void spec_malformed_is_rejected_and_named(void **state)
{
	static const char *bad[] = { "", ":grp", "app:", "a:b:c", "app::" };
	char e[96];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (user_spec_check(bad[i], e, sizeof e) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(e, "USER[:GROUP]"));
	}
}

static void spec_id_out_of_range_is_rejected(void **state)
{
	char e[96];

	(void)state;
	assert_int_equal(user_spec_check("4294967295", e, sizeof e), -1);
	assert_non_null(strstr(e, "uid"));
	assert_int_equal(user_spec_check("app:99999999999", e, sizeof e), -1);
	assert_non_null(strstr(e, "gid"));
}

/* ---- users ------------------------------------------------------------ */

static void name_gives_uid_primary_group_and_member_groups(void **state)
{
	static const gid_t want[] = { 3001, 3002 };

	(void)state;
	resolved("app");
	assert_int_equal(id.uid, 2000);
	assert_int_equal(id.gid, 2000);
	groups_are(2, want); /* each once; "apple" and "ap" are not "app" */
	assert_string_equal(id.user, "app");
	assert_string_equal(id.group, "app");
}

static void number_known_to_passwd_is_that_user(void **state)
{
	static const gid_t want[] = { 3001, 3002 };

	(void)state;
	resolved("2000");
	assert_int_equal(id.uid, 2000);
	assert_int_equal(id.gid, 2000);
	assert_string_equal(id.user, "app"); /* the first line with that uid */
	groups_are(2, want);
	assert_string_equal(id.home_env, "HOME=/home/app");
}

static void number_that_is_a_name_is_that_user(void **state)
{
	(void)state;
	resolved("4000");
	assert_int_equal(id.uid, 2002);
}

static void number_unknown_to_passwd_keeps_pidones_gid_and_no_groups(void **state)
{
	(void)state;
	resolved("1234");
	assert_int_equal(id.uid, 1234);
	assert_int_equal(id.gid, 42);
	groups_are(0, NULL);
	assert_string_equal(id.user, "");
	assert_string_equal(id.home_env, ""); /* HOME is left alone */
}

static void unknown_name_is_rejected(void **state)
{
	(void)state;
	rejected("nosuch", "'nosuch'");
	assert_non_null(strstr(err, "/etc/passwd"));
}

static void malformed_lines_are_skipped(void **state)
{
	(void)state;
	rejected("broken", "'broken'");
	rejected("short", "'short'");
	rejected("# a comment is no user", "/etc/passwd");
}

static void last_line_without_newline_is_read(void **state)
{
	(void)state;
	resolved("last");
	assert_int_equal(id.uid, 2004);
	assert_string_equal(id.home_env, "HOME=/home/last");
}

static void empty_files_know_only_numbers(void **state)
{
	(void)state;
	assert_int_equal(user_resolve(&id, "app", "", 0, "", 0, 0, false, err, sizeof err), -1);
	assert_int_equal(user_resolve(&id, "7:8", "", 0, "", 0, 0, false, err, sizeof err), 0);
	assert_int_equal(id.uid, 7);
	assert_int_equal(id.gid, 8);
}

/* ---- HOME ------------------------------------------------------------- */

static void home_is_set_from_passwd_when_the_environment_has_none(void **state)
{
	(void)state;
	resolved("app");
	assert_string_equal(id.home_env, "HOME=/home/app");
}

static void home_already_set_is_kept(void **state)
{
	(void)state;
	assert_int_equal(resolve("app", true), 0);
	assert_string_equal(id.home_env, "");
}

static void empty_home_field_sets_nothing(void **state)
{
	(void)state;
	resolved("nohome");
	assert_string_equal(id.home_env, "");
}

/* ---- GROUP ------------------------------------------------------------ */

static void group_name_overrides_and_is_the_only_group(void **state)
{
	(void)state;
	resolved("app:solo");
	assert_int_equal(id.uid, 2000);
	assert_int_equal(id.gid, 3004);
	assert_string_equal(id.group, "solo");
	groups_are(0, NULL); /* as gosu and docker run --user u:g */
	assert_string_equal(id.home_env, "HOME=/home/app");
}

static void group_number_known_or_not(void **state)
{
	(void)state;
	resolved("app:3001");
	assert_int_equal(id.gid, 3001);
	assert_string_equal(id.group, "extra1");
	resolved("app:777");
	assert_int_equal(id.gid, 777);
	assert_string_equal(id.group, "");
	resolved("1234:5678");
	assert_int_equal(id.uid, 1234);
	assert_int_equal(id.gid, 5678);
}

static void group_that_is_a_name_made_of_digits(void **state)
{
	(void)state;
	resolved("app:5000");
	assert_int_equal(id.gid, 3005);
}

static void unknown_group_name_is_rejected(void **state)
{
	(void)state;
	rejected("app:nosuch", "'nosuch'");
	assert_non_null(strstr(err, "/etc/group"));
}

static void primary_group_is_named_from_group_file(void **state)
{
	(void)state;
	resolved("twin"); /* uid 2000 again, gid 2003 has no name */
	assert_int_equal(id.gid, 2003);
	assert_string_equal(id.group, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_user_or_user_colon_group_is_well_formed),
		cmocka_unit_test(spec_malformed_is_rejected_and_named),
		cmocka_unit_test(spec_id_out_of_range_is_rejected),
		cmocka_unit_test(name_gives_uid_primary_group_and_member_groups),
		cmocka_unit_test(number_known_to_passwd_is_that_user),
		cmocka_unit_test(number_that_is_a_name_is_that_user),
		cmocka_unit_test(number_unknown_to_passwd_keeps_pidones_gid_and_no_groups),
		cmocka_unit_test(unknown_name_is_rejected),
		cmocka_unit_test(malformed_lines_are_skipped),
		cmocka_unit_test(last_line_without_newline_is_read),
		cmocka_unit_test(empty_files_know_only_numbers),
		cmocka_unit_test(home_is_set_from_passwd_when_the_environment_has_none),
		cmocka_unit_test(home_already_set_is_kept),
		cmocka_unit_test(empty_home_field_sets_nothing),
		cmocka_unit_test(group_name_overrides_and_is_the_only_group),
		cmocka_unit_test(group_number_known_or_not),
		cmocka_unit_test(group_that_is_a_name_made_of_digits),
		cmocka_unit_test(unknown_group_name_is_rejected),
		cmocka_unit_test(primary_group_is_named_from_group_file),
	};

	printf("user.c: user_spec_check, user_resolve\n");
	return cmocka_run_group_tests_name("user.c", tests, NULL, NULL);
}
