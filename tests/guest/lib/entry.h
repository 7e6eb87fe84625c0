/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Symbols shared between head.S, the linker script and the C library.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_ENTRY_H
#define ZT_ENTRY_H

/* payload.ld: bounds of .bss */
extern char __bss_start[], __bss_end[];

/* called from head.S */
int payload_start(void);
void handle_pgm_int(void);
void handle_io_int(void);

/* every payload provides it */
int main(void);

#endif
