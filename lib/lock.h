/* SPDX-License-Identifier: MIT */
/* Ticketless test-and-set spinlock; the host never sleeps. */
#ifndef X2HV_CORE_LOCK_H
#define X2HV_CORE_LOCK_H

#include <stdbool.h>

typedef struct {
	volatile int v;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
		while (l->v)
			__asm__ volatile("pause");
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}

#endif
