/* SPDX-License-Identifier: MIT */
/* Whole-machine state: configuration, halting. */
#ifndef X2HV_CORE_SYSTEM_H
#define X2HV_CORE_SYSTEM_H

#include "boot/cmdline.h"

extern struct hv_config hv_config;

/* Prints "x2hv: system halted", powers off when on_exit=poweroff. */
__attribute__((noreturn)) void system_halt(void);

#endif
