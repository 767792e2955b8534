/* SPDX-License-Identifier: MIT */
/* Constants shared by the boot assembly and C. */
#ifndef X2HV_BOOT_BOOT_H
#define X2HV_BOOT_BOOT_H

#define MB1_MAGIC 0x1badb002
#define MB1_BOOT_MAGIC 0x2badb002 /* EAX at entry from a multiboot1 loader */
/* Page-align modules, want memory info, header carries address fields. */
#define MB1_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))
#define MB2_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC 0x36d76289

/* The hypervisor identity-maps this many GiB with 2 MiB pages at boot. */
#define BOOT_MAP_GIB 16
#define BOOT_STACK_SIZE 16384

/* AP start-up: real-mode trampoline page (SIPI vector = base >> 12). */
#define TRAMPOLINE_BASE 0x8000
/* Offsets of the shared parameters inside the trampoline page. */
#define TRAMP_CR3 0xf00
#define TRAMP_LOCK 0xf08 /* serializes APs: they start all at once */

#ifndef __ASSEMBLY__
#include <stdint.h>

/* linker.ld */
extern char __image_start[], __image_end[];
/* trampoline.S: the code copied to TRAMPOLINE_BASE */
extern char trampoline[], trampoline_end[];
/* head.S calls it on the BSP with the loader's EAX and EBX. */
__attribute__((noreturn)) void kmain(uint32_t magic, uint32_t info_pa);
#endif

#endif
