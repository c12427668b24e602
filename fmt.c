/* fmt.c: the small part of snprintf that pidone's messages use: %s, %.*s,
 * %.Ns, %c, %d, %u, %ld, %lu, %%. libc's printf would triple the binary's size
 * with floating point it never prints. Pure: no system calls. */
#include "pidone.h"

#include <stdarg.h>

struct out {
	char *buf;
	size_t size, len; /* len counts what would be written, like snprintf */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_text(struct out *o, const char *s, size_t max)
{
	if (!s)
		s = "(null)";
	for (size_t i = 0; i < max && s[i]; i++)
		put(o, s[i]);
}

static void put_number(struct out *o, unsigned long v, bool negative)
{
	char digits[24];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (negative)
		put(o, '-');
	while (n)
		put(o, digits[--n]);
}

static void put_signed(struct out *o, long v)
{
	/* Negate in unsigned arithmetic, so LONG_MIN works too. */
	put_number(o, v < 0 ? 0UL - (unsigned long)v : (unsigned long)v, v < 0);
}

size_t vfmt(char *buf, size_t size, const char *f, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *f; f++) {
		size_t max = (size_t)-1;
		bool is_long = false;

		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f++;
		if (f[0] == '.' && f[1] == '*') {
			int prec = va_arg(ap, int);

			max = prec < 0 ? (size_t)-1 : (size_t)prec;
			f += 2;
		} else if (f[0] == '.') {
			for (max = 0, f++; *f >= '0' && *f <= '9'; f++)
				max = max * 10 + (size_t)(*f - '0');
		}
		if (*f == 'l') {
			is_long = true;
			f++;
		}
		switch (*f) {
		case 's':
			put_text(&o, va_arg(ap, const char *), max);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 'd':
			put_signed(&o, is_long ? va_arg(ap, long) : va_arg(ap, int));
			break;
		case 'u':
			put_number(&o, is_long ? va_arg(ap, unsigned long)
					       : va_arg(ap, unsigned), false);
			break;
		case '%':
			put(&o, '%');
			break;
		default: /* not one of ours: show it rather than guess */
			put(&o, '%');
			if (!*f)
				f--;
			else
				put(&o, *f);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

size_t fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = vfmt(buf, size, f, ap);
	va_end(ap);
	return n;
}
