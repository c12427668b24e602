/* test_restrict.c: the --restrict-* options (options.c) and what a Landlock
 * ABI can enforce of them (restrict.c, restrict_plan).
 *
 * Each test is one behaviour, named after it. plan(abi) runs restrict_plan
 * on what the last parse() asked for.
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

/* Landlock's filesystem rights by the ABI that brought them. */
#define FS_ABI1 ((1ULL << 13) - 1)
#define REFER (1ULL << 13)    /* ABI 2 */
#define TRUNCATE (1ULL << 14) /* ABI 3 */
#define IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define EXECUTE 1ULL
#define READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

static struct config cfg;
static struct landlock_plan pl;
static char err[256];

static int count(char **argv)
{
	int n = 0;

	while (argv[n])
		n++;
	return n;
}

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

/* Rejected, with one line naming what and, unless NULL, the value. */
static void rejected(char **argv, char **envp, const char *what, const char *value)
{
	if (parse(argv, envp) != -1)
		fail_msg("accepted, want an error naming %s", what);
	if (err[0] == '\0' || strchr(err, '\n'))
		fail_msg("want one line, got \"%s\"", err);
	if (!strstr(err, what))
		fail_msg("message \"%s\" does not name %s", err, what);
	if (value && !strstr(err, value))
		fail_msg("message \"%s\" does not name %s", err, value);
}

static int plan(int abi)
{
	memset(&pl, 0x5a, sizeof pl);
	memset(err, 0, sizeof err);
	return restrict_plan(&cfg.rs, abi, &pl, err, sizeof err);
}

static void planned(int abi)
{
	if (plan(abi) != 0)
		fail_msg("refused at ABI %d: %s", abi, err);
}

static void refused(int abi, const char *option, const char *need, const char *has)
{
	if (plan(abi) != -1)
		fail_msg("ABI %d accepted, want a refusal naming %s", abi, option);
	if (!strstr(err, option) || !strstr(err, need) || !strstr(err, has))
		fail_msg("message \"%s\" lacks %s, %s or %s", err, option, need, has);
}

/* ---- options ------------------------------------------------------- */

static void without_restrict_options_nothing_is_restricted(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), NOENV);
	assert_int_equal(cfg.rs.on, 0);
	assert_false(cfg.rs.dev);
	assert_false(cfg.rs.best_effort);
	planned(7);
	assert_true(pl.fs == 0 && pl.net == 0 && pl.scoped == 0);
}

static void restrict_write_takes_a_comma_list_of_absolute_paths(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-write", "/data,/tmp", "cmd"), NOENV);
	assert_int_equal(cfg.rs.on, R_WRITE);
	assert_int_equal(cfg.rs.nwrite, 1);
	assert_string_equal(cfg.rs.write[0], "/data,/tmp");
}

static void restrict_write_given_twice_allows_both(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-write=/data", "--restrict-write", "/tmp", "cmd"),
		 NOENV);
	assert_int_equal(cfg.rs.nwrite, 2);
	assert_string_equal(cfg.rs.write[0], "/data");
	assert_string_equal(cfg.rs.write[1], "/tmp");
}

static void restrict_write_from_env_and_option_add_up(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-write", "/tmp", "cmd"),
		 ENV("PIDONE_RESTRICT_WRITE=/data,/var/log"));
	assert_int_equal(cfg.rs.nwrite, 2);
	assert_string_equal(cfg.rs.write[0], "/data,/var/log");
	assert_string_equal(cfg.rs.write[1], "/tmp");
}

static void restrict_write_none_allows_no_path(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-write", "none", "cmd"), NOENV);
	assert_int_equal(cfg.rs.on, R_WRITE);
	assert_int_equal(cfg.rs.nwrite, 0);
}

static void restrict_write_rejects_a_relative_path(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--restrict-write", "/data,tmp", "cmd"), NOENV,
		 "--restrict-write", "/data,tmp");
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_RESTRICT_WRITE=data"),
		 "PIDONE_RESTRICT_WRITE", "data");
}

static void restrict_write_rejects_an_empty_item(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--restrict-write", "/a,,/b", "cmd"), NOENV,
		 "--restrict-write", "/a,,/b");
	rejected(ARGV("pidone", "--restrict-write", "/a,", "cmd"), NOENV,
		 "--restrict-write", NULL);
	rejected(ARGV("pidone", "--restrict-write", "", "cmd"), NOENV,
		 "--restrict-write", NULL);
}

static void restrict_write_takes_at_most_eight_lists(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-write=/1", "--restrict-write=/2",
		      "--restrict-write=/3", "--restrict-write=/4", "--restrict-write=/5",
		      "--restrict-write=/6", "--restrict-write=/7", "--restrict-write=/8",
		      "cmd"), NOENV);
	rejected(ARGV("pidone", "--restrict-write=/1", "--restrict-write=/2",
		      "--restrict-write=/3", "--restrict-write=/4", "--restrict-write=/5",
		      "--restrict-write=/6", "--restrict-write=/7", "--restrict-write=/8",
		      "--restrict-write=/9", "cmd"), NOENV, "--restrict-write", NULL);
}

static void restrict_dev_needs_restrict_write(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--restrict-dev", "cmd"), NOENV, "--restrict-dev", NULL);
	accepted(ARGV("pidone", "--restrict-dev", "--restrict-write", "/data", "cmd"), NOENV);
	assert_true(cfg.rs.dev);
	accepted(ARGV("pidone", "cmd"),
		 ENV("PIDONE_RESTRICT_DEV=1", "PIDONE_RESTRICT_WRITE=/data"));
	assert_true(cfg.rs.dev);
}

static void restrict_exec_takes_paths_from_option_and_env(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-exec", "/usr/bin,/usr/lib", "cmd"),
		 ENV("PIDONE_RESTRICT_EXEC=/app"));
	assert_int_equal(cfg.rs.on, R_EXEC);
	assert_int_equal(cfg.rs.nexec, 2);
	assert_string_equal(cfg.rs.exec[0], "/app");
	assert_string_equal(cfg.rs.exec[1], "/usr/bin,/usr/lib");
	rejected(ARGV("pidone", "--restrict-exec", "bin", "cmd"), NOENV,
		 "--restrict-exec", "bin");
}

static void restrict_ioctl_takes_paths(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-ioctl", "/dev/null,/dev/pts", "cmd"),
		 ENV("PIDONE_RESTRICT_IOCTL=/dev/fuse"));
	assert_int_equal(cfg.rs.on, R_IOCTL);
	assert_int_equal(cfg.rs.nioctl, 2);
	assert_string_equal(cfg.rs.ioctl[0], "/dev/fuse");
	assert_string_equal(cfg.rs.ioctl[1], "/dev/null,/dev/pts");
	rejected(ARGV("pidone", "--restrict-ioctl", "dev", "cmd"), NOENV,
		 "--restrict-ioctl", "dev");
}

static void restrict_bind_takes_a_comma_list_of_ports(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-bind", "8080,0,65535", "cmd"), NOENV);
	assert_int_equal(cfg.rs.on, R_BIND);
	assert_int_equal(cfg.rs.nbind, 3);
	assert_int_equal(cfg.rs.bind[0], 8080);
	assert_int_equal(cfg.rs.bind[1], 0);
	assert_int_equal(cfg.rs.bind[2], 65535);
	assert_int_equal(cfg.rs.nconnect, 0);
}

static void restrict_connect_from_env(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_RESTRICT_CONNECT=5432,443"));
	assert_int_equal(cfg.rs.on, R_CONNECT);
	assert_int_equal(cfg.rs.nconnect, 2);
	assert_int_equal(cfg.rs.connect[0], 5432);
	assert_int_equal(cfg.rs.connect[1], 443);
}

static void restrict_bind_none_allows_no_port(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-bind", "none", "cmd"), NOENV);
	assert_int_equal(cfg.rs.on, R_BIND);
	assert_int_equal(cfg.rs.nbind, 0);
}

static void restrict_ports_reject_what_is_not_a_port(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "--restrict-bind", "65536", "cmd"), NOENV,
		 "--restrict-bind", "65536");
	rejected(ARGV("pidone", "--restrict-bind", "http", "cmd"), NOENV,
		 "--restrict-bind", "http");
	rejected(ARGV("pidone", "--restrict-connect", "80,-1", "cmd"), NOENV,
		 "--restrict-connect", "-1");
	rejected(ARGV("pidone", "cmd"), ENV("PIDONE_RESTRICT_CONNECT=80,"),
		 "PIDONE_RESTRICT_CONNECT", NULL);
}

static void restrict_ports_take_at_most_64(void **state)
{
	static char many[65 * 6 + 1];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "%s%d", i ? "," : "", 1000 + i);
	rejected(ARGV("pidone", "--restrict-bind", many, "cmd"), NOENV, "--restrict-bind", NULL);
	many[strlen(many) - 5] = '\0'; /* 64 of them */
	accepted(ARGV("pidone", "--restrict-bind", many, "cmd"), NOENV);
	assert_int_equal(cfg.rs.nbind, 64);
}

static void restrict_scope_is_a_switch(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-scope", "cmd"), NOENV);
	assert_int_equal(cfg.rs.on, R_SCOPE);
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_RESTRICT_SCOPE=1"));
	assert_int_equal(cfg.rs.on, R_SCOPE);
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_RESTRICT_SCOPE=0"));
	assert_int_equal(cfg.rs.on, 0);
	rejected(ARGV("pidone", "--restrict-scope=1", "cmd"), NOENV, "--restrict-scope", NULL);
}

static void restrict_best_effort_is_a_switch(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-best-effort", "cmd"), NOENV);
	assert_true(cfg.rs.best_effort);
	accepted(ARGV("pidone", "cmd"), ENV("PIDONE_RESTRICT_BEST_EFFORT=yes"));
	assert_true(cfg.rs.best_effort);
}

static void restrictions_in_pause_mode_are_rejected(void **state)
{
	(void)state;
	rejected(ARGV("pidone", "-P", "--restrict-scope"), NOENV, "-P", NULL);
}

/* ---- what an ABI enforces ------------------------------------------- */

static void write_at_abi_3_and_later_handles_every_write_right_and_no_other(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-write", "/data", "cmd"), NOENV);
	for (int abi = 3; abi <= 7; abi++) {
		planned(abi);
		assert_true(pl.write == ((FS_ABI1 & ~(EXECUTE | READ)) | REFER | TRUNCATE));
		assert_true(pl.fs == pl.write);
		assert_true(pl.net == 0 && pl.scoped == 0);
		assert_int_equal(pl.partial | pl.left, 0);
	}
}

static void write_before_abi_3_is_refused_naming_the_abis(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-write", "/data", "cmd"), NOENV);
	refused(2, "--restrict-write", "ABI 3", "has 2");
	refused(1, "--restrict-write", "ABI 3", "has 1");
}

static void write_at_abi_2_with_best_effort_leaves_truncation_open(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-best-effort", "--restrict-write", "/data", "cmd"),
		 NOENV);
	planned(2);
	assert_int_equal(pl.partial, R_WRITE);
	assert_true(pl.write & REFER);
	assert_false(pl.write & TRUNCATE);
	planned(1);
	assert_int_equal(pl.partial, R_WRITE);
	assert_false(pl.write & (REFER | TRUNCATE));
	assert_true(pl.write & LANDLOCK_ACCESS_FS_WRITE_FILE);
}

static void exec_needs_only_abi_1(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-exec", "/usr/bin", "cmd"), NOENV);
	planned(1);
	assert_true(pl.fs == EXECUTE);
	assert_true(pl.write == 0);
}

static void bind_and_connect_need_abi_4(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-bind", "8080", "cmd"), NOENV);
	refused(3, "--restrict-bind", "ABI 4", "has 3");
	planned(4);
	assert_true(pl.net == LANDLOCK_ACCESS_NET_BIND_TCP);
	assert_true(pl.fs == 0);
	accepted(ARGV("pidone", "--restrict-connect", "none", "cmd"), NOENV);
	refused(3, "--restrict-connect", "ABI 4", "has 3");
	planned(4);
	assert_true(pl.net == LANDLOCK_ACCESS_NET_CONNECT_TCP);
}

static void ioctl_needs_abi_5_and_handles_device_ioctls_only(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-ioctl", "none", "cmd"), NOENV);
	refused(4, "--restrict-ioctl", "ABI 5", "has 4");
	planned(5);
	assert_true(pl.fs == IOCTL_DEV);
	assert_true(pl.write == 0 && pl.net == 0 && pl.scoped == 0);
}

static void scope_needs_abi_6_and_scopes_signals_and_abstract_sockets(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-scope", "cmd"), NOENV);
	refused(5, "--restrict-scope", "ABI 6", "has 5");
	planned(6);
	assert_true(pl.scoped == (LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET));
	assert_true(pl.fs == 0 && pl.net == 0);
}

static void a_kernel_without_landlock_refuses_every_restriction(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-exec", "/usr/bin", "cmd"), NOENV);
	refused(0, "--restrict-exec", "ABI 1", "has none");
}

static void best_effort_leaves_out_what_the_abi_lacks_and_keeps_the_rest(void **state)
{
	(void)state;
	accepted(ARGV("pidone", "--restrict-best-effort", "--restrict-write", "/d",
		      "--restrict-exec", "/e", "--restrict-bind", "80", "--restrict-ioctl", "/i",
		      "--restrict-connect", "443", "--restrict-scope", "cmd"), NOENV);
	planned(4);
	assert_int_equal(pl.left, R_SCOPE | R_IOCTL);
	assert_int_equal(pl.partial, 0);
	assert_true(pl.net == (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP));
	assert_true(pl.scoped == 0);
	planned(0);
	assert_int_equal(pl.left, R_WRITE | R_EXEC | R_IOCTL | R_BIND | R_CONNECT | R_SCOPE);
	assert_true(pl.fs == 0 && pl.net == 0 && pl.scoped == 0);
}

/* The kernel refuses a ruleset that handles a right it does not know. */
static void every_abi_handles_only_rights_it_knows(void **state)
{
	static const uint64_t known_fs[8] = {
		0, FS_ABI1, FS_ABI1 | REFER, FS_ABI1 | REFER | TRUNCATE,
		FS_ABI1 | REFER | TRUNCATE, FS_ABI1 | REFER | TRUNCATE | IOCTL_DEV,
		FS_ABI1 | REFER | TRUNCATE | IOCTL_DEV, FS_ABI1 | REFER | TRUNCATE | IOCTL_DEV,
	};

	(void)state;
	accepted(ARGV("pidone", "--restrict-best-effort", "--restrict-write", "/d",
		      "--restrict-exec", "/e", "--restrict-bind", "80", "--restrict-ioctl", "/i",
		      "--restrict-connect", "443", "--restrict-scope", "cmd"), NOENV);
	for (int abi = 0; abi <= 7; abi++) {
		planned(abi);
		if (pl.fs & ~known_fs[abi])
			fail_msg("ABI %d handles fs rights %#llx it does not know", abi,
				 (unsigned long long)(pl.fs & ~known_fs[abi]));
		if (abi < 4)
			assert_true(pl.net == 0);
		if (abi < 6)
			assert_true(pl.scoped == 0);
		/* Reading is never restricted. */
		assert_false(pl.fs & READ);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(without_restrict_options_nothing_is_restricted),
		cmocka_unit_test(restrict_write_takes_a_comma_list_of_absolute_paths),
		cmocka_unit_test(restrict_write_given_twice_allows_both),
		cmocka_unit_test(restrict_write_from_env_and_option_add_up),
		cmocka_unit_test(restrict_write_none_allows_no_path),
		cmocka_unit_test(restrict_write_rejects_a_relative_path),
		cmocka_unit_test(restrict_write_rejects_an_empty_item),
		cmocka_unit_test(restrict_write_takes_at_most_eight_lists),
		cmocka_unit_test(restrict_dev_needs_restrict_write),
		cmocka_unit_test(restrict_exec_takes_paths_from_option_and_env),
		cmocka_unit_test(restrict_ioctl_takes_paths),
		cmocka_unit_test(restrict_bind_takes_a_comma_list_of_ports),
		cmocka_unit_test(restrict_connect_from_env),
		cmocka_unit_test(restrict_bind_none_allows_no_port),
		cmocka_unit_test(restrict_ports_reject_what_is_not_a_port),
		cmocka_unit_test(restrict_ports_take_at_most_64),
		cmocka_unit_test(restrict_scope_is_a_switch),
		cmocka_unit_test(restrict_best_effort_is_a_switch),
		cmocka_unit_test(restrictions_in_pause_mode_are_rejected),
		cmocka_unit_test(write_at_abi_3_and_later_handles_every_write_right_and_no_other),
		cmocka_unit_test(write_before_abi_3_is_refused_naming_the_abis),
		cmocka_unit_test(write_at_abi_2_with_best_effort_leaves_truncation_open),
		cmocka_unit_test(exec_needs_only_abi_1),
		cmocka_unit_test(bind_and_connect_need_abi_4),
		cmocka_unit_test(ioctl_needs_abi_5_and_handles_device_ioctls_only),
		cmocka_unit_test(scope_needs_abi_6_and_scopes_signals_and_abstract_sockets),
		cmocka_unit_test(a_kernel_without_landlock_refuses_every_restriction),
		cmocka_unit_test(best_effort_leaves_out_what_the_abi_lacks_and_keeps_the_rest),
		cmocka_unit_test(every_abi_handles_only_rights_it_knows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
