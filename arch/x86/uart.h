/* SPDX-License-Identifier: MIT */
/* The host's 16550 console UART (polled, no interrupts). */
#ifndef X2HV_ARCH_X86_UART_H
#define X2HV_ARCH_X86_UART_H

#include <stdbool.h>
#include <stdint.h>

void uart_init(uint16_t port);
/* Whether a 16550 answers at @port (its scratch register works). */
bool uart_present(uint16_t port);
void uart_putc(char c);
/* Wait (bounded) until everything written has left the transmitter. */
void uart_drain(void);
/* Non-blocking read: returns -1 when no byte is waiting. */
int uart_getc(void);

#endif
