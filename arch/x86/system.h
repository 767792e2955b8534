/* SPDX-License-Identifier: MIT */
/* Stopping the whole machine. */
#ifndef X2HV_ARCH_X86_SYSTEM_H
#define X2HV_ARCH_X86_SYSTEM_H

#include <stdbool.h>

/* Prints "x2hv: system halted", then powers off if asked to. */
__attribute__((noreturn)) void system_halt(void);
/* Have system_halt() power off (on_exit=poweroff) or just halt. */
void system_set_poweroff(bool on);

#endif
