// SPDX-License-Identifier: MIT
//! vcpus: 4
//! timeout: 1800
//! expect: irq-accounting: 4 vCPUs, \d+ IPIs
/* irq-accounting.c with 4 vCPUs: 12 ordered pairs, logical destinations
 * of up to 3 targets, a vCPU sending while two others send to it. */
#define NCPU 4
#include "tests/guest/irq-accounting.c"
