// SPDX-License-Identifier: MIT
/* The message rate limiter (lib/ratelimit.h). */
#include "lib/ratelimit.h"

bool ratelimit_ok(struct ratelimit *rl, uint64_t now, uint64_t interval,
		  unsigned int burst, uint64_t *missed)
{
	bool ok;

	spin_lock(&rl->lock);
	/* A clock that went backwards (another CPU's TSC) starts a window
	 * too, so a window never lasts longer than @interval. */
	if (!rl->started || now < rl->begin || now - rl->begin >= interval) {
		rl->started = true;
		rl->begin = now;
		rl->printed = 0;
	}
	ok = rl->printed < burst;
	if (ok) {
		rl->printed++;
		if (missed)
			*missed = rl->missed;
		rl->missed = 0;
	} else {
		rl->missed++;
		rl->missed_total++;
	}
	spin_unlock(&rl->lock);
	return ok;
}
