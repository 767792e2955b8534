/* SPDX-License-Identifier: MIT */
/*
 * A message rate limiter (in the spirit of Linux's printk_ratelimit): at
 * most @burst messages per window of @interval time units; the ones
 * beyond are counted, and the count is handed to the next message that
 * may print so it can say how many were dropped. Time is whatever the
 * caller passes (the hypervisor uses TSC ticks). Any CPU may call it.
 */
#ifndef X2HV_LIB_RATELIMIT_H
#define X2HV_LIB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/lock.h"

struct ratelimit {
	spinlock_t lock;
	bool started; /* a window has begun */
	uint64_t begin; /* start of the current window */
	unsigned int printed; /* messages let through in this window */
	uint64_t missed; /* dropped since the last one let through */
	uint64_t missed_total; /* dropped in all */
};

/*
 * May a message be printed at time @now? If so, *@missed (when not NULL)
 * is the number dropped since the last one that printed.
 */
bool ratelimit_ok(struct ratelimit *rl, uint64_t now, uint64_t interval,
		  unsigned int burst, uint64_t *missed);

#endif
