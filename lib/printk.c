// SPDX-License-Identifier: MIT
/* A small vsnprintf and the console lock. */
#include <stdbool.h>
#include <stdint.h>

#include "include/debug.h"
#include "lib/lock.h"
#include "lib/printk.h"

enum log_level log_level = LOG_INFO;

static spinlock_t console_lock;
static void (*console_putc)(char c);

void console_set_putc(void (*putc)(char c))
{
	console_putc = putc;
}

struct outbuf {
	char *buf;
	size_t size, len;
};

static void out(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_num(struct outbuf *o, uint64_t v, unsigned base, bool neg,
		    int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		out(o, pad);
	while (n)
		out(o, tmp[--n]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		uint64_t v;

		if (*fmt != '%') {
			out(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lng++, fmt++;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			out_num(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10,
				s < 0, width, pad);
			break;
		}
		case 'u':
		case 'x':
			v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			out_num(&o, v, *fmt == 'u' ? 10 : 16, false, width,
				pad);
			break;
		case 'p':
			out(&o, '0');
			out(&o, 'x');
			out_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, 0,
				'0');
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			while (*s)
				out(&o, *s++);
			break;
		}
		case 'c':
			out(&o, (char)va_arg(ap, int));
			break;
		case '%':
			out(&o, '%');
			break;
		default:
			out(&o, '%');
			if (*fmt)
				out(&o, *fmt);
			else
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void console_raw(const char *s, size_t n)
{
	if (!console_putc)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			console_putc('\r');
		console_putc(s[i]);
	}
}

void console_write(const char *s, size_t n)
{
	spin_lock(&console_lock);
	console_raw(s, n);
	spin_unlock(&console_lock);
}

#define PRINTK_BUF 512
#define PREFIX "x2hv: "

static void vprintk(const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	spin_lock(&console_lock);
	console_raw(PREFIX, sizeof(PREFIX) - 1);
	console_raw(buf, n);
	if (n == 0 || buf[n - 1] != '\n')
		console_raw("\n", 1);
	spin_unlock(&console_lock);
}

void printk(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

static void (*panic_halt)(void);

void panic_set_halt(void (*halt)(void))
{
	panic_halt = halt;
}

#ifdef X2HV_DEBUG
void x2hv_assert_failed(const char *cond, const char *file, int line)
{
	panic("ASSERT(%s) failed at %s:%d", cond, file, line);
}
#endif

void panic(const char *fmt, ...)
{
	char buf[PRINTK_BUF];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk(LOG_ERR, "PANIC: %s", buf);
	if (panic_halt)
		panic_halt();
	for (;;)
		__asm__ volatile("cli; hlt");
}
