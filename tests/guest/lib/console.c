// SPDX-License-Identifier: MIT
/*
 * Serial console (16550 at COM1), a small printf and the TAP helpers.
 * Global mutable state: console_lock (one line at a time across vCPUs) and
 * the TAP counters tap_next/tap_failed, both protected by console_lock.
 */
#include <stdarg.h>

#include "tests/guest/lib/guest.h"

#define UART_THR 0 /* transmit holding register */
#define UART_DLL 0 /* divisor latch low (with LCR.DLAB) */
#define UART_IER 1 /* interrupt enable */
#define UART_DLM 1 /* divisor latch high (with LCR.DLAB) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status register */
#define UART_LCR_DLAB 0x80
#define UART_LCR_8N1 0x03
#define UART_MCR_DTR_RTS 0x03
#define UART_DIVISOR_115200 1
#define UART_LSR_THRE (1u << 5) /* THR empty (PC16550D data sheet) */
#define UART_LSR_TEMT (1u << 6) /* transmitter empty */
#define UART_POLL_LIMIT 100000

static spinlock_t console_lock;
static unsigned int tap_next = 1, tap_failed;

void putchar_serial(char c)
{
	/* Bounded poll: an absent UART reads 0xFF, which has THRE set too. */
	for (int i = 0; i < UART_POLL_LIMIT; i++)
		if (inb(X2HV_PORT_COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	outb(X2HV_PORT_COM1 + UART_THR, (uint8_t)c);
}

/* 8N1 at 115200 baud: firmware may leave the UART at 5 bits (Bochs does). */
void serial_init(void)
{
	outb(X2HV_PORT_COM1 + UART_IER, 0);
	outb(X2HV_PORT_COM1 + UART_LCR, UART_LCR_DLAB);
	outb(X2HV_PORT_COM1 + UART_DLL, UART_DIVISOR_115200);
	outb(X2HV_PORT_COM1 + UART_DLM, 0);
	outb(X2HV_PORT_COM1 + UART_LCR, UART_LCR_8N1);
	outb(X2HV_PORT_COM1 + UART_MCR, UART_MCR_DTR_RTS);
}

/* Wait until the last byte left the UART (before powering off). */
void serial_flush(void)
{
	for (int i = 0; i < UART_POLL_LIMIT; i++)
		if (inb(X2HV_PORT_COM1 + UART_LSR) & UART_LSR_TEMT)
			break;
}

void puts_serial(const char *s)
{
	while (*s)
		putchar_serial(*s++);
}

static void put_num(uint64_t v, unsigned int base, bool neg, int width,
		    char pad)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (width-- > n)
		putchar_serial(pad);
	while (n)
		putchar_serial(buf[--n]);
}

static void vprintf_serial(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, longs = 0;
		char pad = ' ';
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			putchar_serial(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(s < 0 ? -(uint64_t)s : (uint64_t)s, 10, s < 0,
				width, pad);
			break;
		case 'u':
		case 'x':
			u = longs ? va_arg(ap, uint64_t) :
				    va_arg(ap, unsigned int);
			put_num(u, *fmt == 'u' ? 10 : 16, false, width, pad);
			break;
		case 'p':
			puts_serial("0x");
			put_num((uint64_t)va_arg(ap, void *), 16, false, width,
				pad);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			puts_serial(str ? str : "(null)");
			break;
		}
		case 'c':
			putchar_serial((char)va_arg(ap, int));
			break;
		case '%':
			putchar_serial('%');
			break;
		default:
			putchar_serial('%');
			if (!*fmt)
				return;
			putchar_serial(*fmt);
		}
	}
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spin_lock(&console_lock);
	vprintf_serial(fmt, ap);
	spin_unlock(&console_lock);
	va_end(ap);
	return 0;
}

void plan(unsigned int n)
{
	printf("1..%u\n", n);
}

bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spin_lock(&console_lock);
	if (!cond) {
		puts_serial("not ");
		tap_failed++;
	}
	puts_serial("ok ");
	put_num(tap_next++, 10, false, 0, ' ');
	puts_serial(" - ");
	vprintf_serial(fmt, ap);
	putchar_serial('\n');
	spin_unlock(&console_lock);
	va_end(ap);
	return cond;
}

void skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spin_lock(&console_lock);
	puts_serial("SKIP: ");
	vprintf_serial(fmt, ap);
	putchar_serial('\n');
	spin_unlock(&console_lock);
	va_end(ap);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	spin_lock(&console_lock);
	tap_failed++;
	puts_serial("not ok ");
	put_num(tap_next++, 10, false, 0, ' ');
	puts_serial(" - ");
	vprintf_serial(fmt, ap);
	putchar_serial('\n');
	spin_unlock(&console_lock);
	va_end(ap);
}

unsigned int tap_failures(void)
{
	return atomic_read(&tap_failed);
}

void __attribute__((noreturn)) test_done(void)
{
	bool pass = atomic_read(&tap_failed) == 0;

	printf("RESULT: %s\n", pass ? "PASS" : "FAIL");
	test_exit(pass ? 0 : 1);
}
