// SPDX-License-Identifier: ISC
/*
 * np_fmt.c: a small printf-style formatter and console output.
 *
 * glibc's printf family may take locks, allocate (and so call brk/mmap) and
 * write(2) to stdout: all forbidden once the process is confined. This one
 * formats into a caller's buffer using only the stack, and np_printf hands
 * the result to solo5_console_write().
 */
#include <string.h>

#include "np.h"

struct out {
	char *buf;
	size_t size;	/* capacity of buf, terminator included */
	size_t len;	/* characters produced so far (may exceed size) */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left;	/* '-' */
	bool zero;	/* '0' */
	int width;
	int prec;	/* -1: none */
	int lmod;	/* 0 int, 1 long, 2 long long, 3 size_t; h/hh read as int */
};

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	size_t n;
	int pad;

	if (!s)
		s = "(null)";
	n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	pad = sp->width > (int)n ? sp->width - (int)n : 0;
	if (!sp->left)
		put_pad(o, ' ', pad);
	while (n--)
		put(o, *s++);
	if (sp->left)
		put_pad(o, ' ', pad);
}

static void put_num(struct out *o, unsigned long long v, bool neg,
		    unsigned int base, bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0);
	pad = sp->width > len ? sp->width - len : 0;
	if (!sp->left && !sp->zero)
		put_pad(o, ' ', pad);
	if (neg)
		put(o, '-');
	if (!sp->left && sp->zero)
		put_pad(o, '0', pad);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		put_pad(o, ' ', pad);
}

static unsigned long long arg_unsigned(va_list *ap, int lmod)
{
	switch (lmod) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(va_list *ap, int lmod)
{
	switch (lmod) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (long long)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

/* Parse flags, width, precision and length at *fmt; advance past them. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			sp->lmod++;
		else if (*f == 'z')
			sp->lmod = 3;
		else if (*f != 'h')
			break;
	}
	if (sp->lmod > 3)
		sp->lmod = 2;
	return f;
}

int np_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	struct spec sp;
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		long long sv;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &ap);
		switch (*fmt) {
		case 'd':
		case 'i':
			sv = arg_signed(&ap, sp.lmod);
			put_num(&o, sv < 0 ? 0ULL - (unsigned long long)sv :
				(unsigned long long)sv, sv < 0, 10, false, &sp);
			break;
		case 'u':
			put_num(&o, arg_unsigned(&ap, sp.lmod), false, 10,
				false, &sp);
			break;
		case 'x':
		case 'X':
			put_num(&o, arg_unsigned(&ap, sp.lmod), false, 16,
				*fmt == 'X', &sp);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uintptr_t)va_arg(ap, void *), false, 16,
				false, &sp);
			break;
		case 's':
			put_str(&o, va_arg(ap, const char *), &sp);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;	/* a lone '%' at the end: stop */
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
		fmt++;
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

int np_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = np_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void np_printf(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = np_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;	/* truncated: still write what fits */
	solo5_console_write(line, (size_t)n);
}
