/* user.c: --user USER[:GROUP] against the text of /etc/passwd and /etc/group.
 * Pure: become.c reads the files and makes the switch. The rules are gosu's
 * (and docker run --user's): a number need not be in /etc/passwd; the
 * supplementary groups are those that list USER in /etc/group, none when
 * GROUP is given. */
#include "pidone.h"

#include <string.h>

/* A line split on ':' (a passwd line has 7 fields, a group line 4). */
struct fields {
	const char *at[7];
	size_t len[7];
};

/* A uid or gid: decimal, below 4294967295, which the kernel reads as
 * "leave unchanged". */
static bool parse_id(const char *s, size_t n, unsigned long *out)
{
	unsigned long long v = 0;

	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v >= 0xffffffffULL)
		return false;
	*out = (unsigned long)v;
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static bool same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* "USER" or "USER:GROUP", neither empty; a number must fit an id. */
int user_spec_check(const char *spec, char *err, size_t errlen)
{
	const char *colon = strchrnul(spec, ':');
	size_t ulen = (size_t)(colon - spec);
	unsigned long id;

	if (ulen == 0 || (*colon && (colon[1] == '\0' || strchr(colon + 1, ':')))) {
		fmt(err, errlen, "'%.64s' is not USER[:GROUP]", spec);
		return -1;
	}
	if (all_digits(spec, ulen) && !parse_id(spec, ulen, &id)) {
		fmt(err, errlen, "'%.*s' is not a uid (0..4294967294)", (int)ulen, spec);
		return -1;
	}
	if (*colon && all_digits(colon + 1, strlen(colon + 1)) &&
	    !parse_id(colon + 1, strlen(colon + 1), &id)) {
		fmt(err, errlen, "'%.64s' is not a gid (0..4294967294)", colon + 1);
		return -1;
	}
	return 0;
}

/* The next line of text at *pos, split into exactly n fields; false at the
 * end. A line with another number of fields gives count 0. */
static bool next_line(const char *text, size_t len, size_t *pos, struct fields *f,
		      int n, int *count)
{
	const char *s, *end, *field;

	if (*pos >= len)
		return false;
	s = text + *pos;
	end = memchr(s, '\n', len - *pos);
	if (!end)
		end = text + len;
	*pos = (size_t)(end - text) + 1;
	*count = 0;
	for (field = s; *count < n; field++) {
		const char *colon = memchr(field, ':', (size_t)(end - field));

		f->at[*count] = field;
		f->len[*count] = (size_t)((colon ? colon : end) - field);
		(*count)++;
		if (!colon)
			break;
		field = colon;
	}
	if (*count != n || f->at[n - 1] + f->len[n - 1] != end)
		*count = 0;
	return true;
}

/* The first entry of a passwd or group file whose name is want, or whose
 * id (field 2) is num when want is a number. */
static bool find(const char *text, size_t len, int nfields, const char *want,
		 size_t wlen, struct fields *f, unsigned long *id)
{
	unsigned long num = 0;
	bool numeric = parse_id(want, wlen, &num);
	size_t pos = 0;
	int count;

	while (next_line(text, len, &pos, f, nfields, &count)) {
		if (count == 0 || !parse_id(f->at[2], f->len[2], id))
			continue;
		if (same(f->at[0], f->len[0], want, wlen) || (numeric && *id == num))
			return true;
	}
	return false;
}

/* Is name in a group's comma-separated member list? */
static bool member(const char *list, size_t len, const char *name, size_t nlen)
{
	for (const char *end = list + len; list <= end;) {
		const char *comma = memchr(list, ',', (size_t)(end - list));
		const char *stop = comma ? comma : end;

		if (same(list, (size_t)(stop - list), name, nlen))
			return true;
		list = stop + 1;
	}
	return false;
}

/* The groups that list name, each once. */
static int add_member_groups(struct identity *id, const char *group, size_t group_len,
			     const char *name, size_t nlen, char *err, size_t errlen)
{
	struct fields f;
	size_t pos = 0;
	int count;

	while (next_line(group, group_len, &pos, &f, 4, &count)) {
		unsigned long gid;
		bool dup = false;

		if (count == 0 || !parse_id(f.at[2], f.len[2], &gid) ||
		    !member(f.at[3], f.len[3], name, nlen))
			continue;
		for (size_t i = 0; i < id->ngroups; i++)
			dup = dup || id->groups[i] == (gid_t)gid;
		if (dup)
			continue;
		if (id->ngroups == MAX_GROUPS) {
			fmt(err, errlen, "user '%.64s' is in more than %d groups",
			    id->user, MAX_GROUPS);
			return -1;
		}
		id->groups[id->ngroups++] = (gid_t)gid;
	}
	return 0;
}

/* The name of group gid, for --explain; "" if /etc/group has none. */
static void group_name(struct identity *id, const char *group, size_t group_len)
{
	char num[16];
	struct fields f;
	unsigned long gid;

	fmt(num, sizeof num, "%lu", (unsigned long)id->gid);
	if (find(group, group_len, 4, num, strlen(num), &f, &gid) && gid == id->gid)
		fmt(id->group, sizeof id->group, "%.*s", (int)f.len[0], f.at[0]);
}

/* spec (checked by user_spec_check) to uid, gid, groups and HOME. */
int user_resolve(struct identity *id, const char *spec, const char *passwd,
		 size_t passwd_len, const char *group, size_t group_len,
		 gid_t own_gid, bool home_set, char *err, size_t errlen)
{
	const char *colon = strchrnul(spec, ':');
	size_t ulen = (size_t)(colon - spec);
	struct fields f;
	unsigned long uid, gid;
	bool known;

	memset(id, 0, sizeof *id);
	known = find(passwd, passwd_len, 7, spec, ulen, &f, &uid);
	if (known) {
		if (!parse_id(f.at[3], f.len[3], &gid)) {
			fmt(err, errlen, "user '%.*s': bad gid in /etc/passwd",
			    (int)(ulen > 64 ? 64 : ulen), spec);
			return -1;
		}
		fmt(id->user, sizeof id->user, "%.*s", (int)f.len[0], f.at[0]);
		if (!home_set && f.len[5] > 0) {
			if (f.len[5] + 6 > sizeof id->home_env) {
				fmt(err, errlen, "user '%s': home directory too long",
				    id->user);
				return -1;
			}
			fmt(id->home_env, sizeof id->home_env, "HOME=%.*s", (int)f.len[5], f.at[5]);
		}
	} else if (parse_id(spec, ulen, &uid)) {
		gid = own_gid; /* as gosu, su-exec and docker run --user (as root: 0) */
	} else {
		fmt(err, errlen, "user '%.*s': not in /etc/passwd",
		    (int)(ulen > 64 ? 64 : ulen), spec);
		return -1;
	}
	id->uid = (uid_t)uid;
	id->gid = (gid_t)gid;
	if (*colon) {
		const char *g = colon + 1;
		unsigned long num;

		if (find(group, group_len, 4, g, strlen(g), &f, &gid)) {
			fmt(id->group, sizeof id->group, "%.*s", (int)f.len[0], f.at[0]);
		} else if (parse_id(g, strlen(g), &num)) {
			gid = num;
		} else {
			fmt(err, errlen, "group '%.64s': not in /etc/group", g);
			return -1;
		}
		id->gid = (gid_t)gid;
		return 0; /* GROUP given: it is the only group */
	}
	group_name(id, group, group_len);
	if (known)
		return add_member_groups(id, group, group_len, f.at[0], f.len[0], err, errlen);
	return 0;
}
