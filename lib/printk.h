/* SPDX-License-Identifier: MIT */
/*
 * Console logging. Every line the hypervisor prints starts with "x2hv: "
 * (tools/harness.py matches on it). Levels follow loglvl= on the command
 * line; a line is printed whole under a lock so CPUs do not interleave.
 */
#ifndef X2HV_CORE_PRINTK_H
#define X2HV_CORE_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG
};

extern enum log_level log_level;

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void printk(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Raw bytes to the console under the console lock (guest output). */
void console_write(const char *s, size_t n);
void console_set_putc(void (*putc)(char c));

void panic_set_halt(void (*halt)(void));

#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Prints "x2hv: PANIC: ..." and stops the whole machine: through the
 * function panic_set_halt() gave (system_halt()), else here. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt,
							   ...);

#endif
