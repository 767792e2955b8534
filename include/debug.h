/* SPDX-License-Identifier: MIT */
/*
 * ASSERT(): rules checked in debug builds only (`make DEBUG=1` defines
 * X2HV_DEBUG and builds into build/debug), compiled out otherwise (the
 * condition is not evaluated). What they state are x2hv's own invariants
 * (a vlapic touched only by its owner CPU, a VMCS current only on its
 * vCPU's CPU, the vCPU state machine), never something a guest can
 * cause: a failure is a bug in x2hv and panics with the condition and
 * where it is. No includes, so every room may use it (vlapic/ too);
 * x2hv_assert_failed() is lib/printk.c's.
 */
#ifndef X2HV_INCLUDE_DEBUG_H
#define X2HV_INCLUDE_DEBUG_H

#ifdef X2HV_DEBUG
__attribute__((noreturn)) void x2hv_assert_failed(const char *cond,
						  const char *file, int line);
#define ASSERT(c) ((c) ? (void)0 : x2hv_assert_failed(#c, __FILE__, __LINE__))
#else
#define ASSERT(c) ((void)sizeof(!(c)))
#endif

#endif
