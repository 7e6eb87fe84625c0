/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Start-up and interruption entry code for the zPCI test payloads.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * QEMU starts the ELF entry point in 64-bit mode with DAT off.  We load a
 * known PSW, install new PSWs for every interruption class in low core,
 * set up a stack and call payload_start() (C).  Program and I/O
 * interruptions save all general registers in a low-core save area, run a
 * C handler on their own stack and resume with the old PSW, which the
 * handler may have changed.
 */

#include "asm-offsets.h"

    .section .head, "ax"
    .globl _start
_start:
    larl    %r1, start_psw
    lpswe   0(%r1)

start64:
    /* new PSWs: all 64-bit mode, interruptions disabled */
    larl    %r1, new_psws
    mvc     LC_RESTART_NEW_PSW(16, %r0), 0(%r1)
    mvc     LC_EXT_NEW_PSW(16, %r0), 16(%r1)
    mvc     LC_SVC_NEW_PSW(16, %r0), 32(%r1)
    mvc     LC_PGM_NEW_PSW(16, %r0), 48(%r1)
    mvc     LC_MCCK_NEW_PSW(16, %r0), 64(%r1)
    mvc     LC_IO_NEW_PSW(16, %r0), 80(%r1)

    larl    %r15, main_stack_top
    aghi    %r15, -STACK_FRAME
    xc      0(8, %r15), 0(%r15)         /* back chain terminator */
    brasl   %r14, payload_start
    /* payload_start() returns the exit status in %r2 */
    j       payload_exit_asm

/* void payload_exit(int status) */
    .globl payload_exit
payload_exit:
payload_exit_asm:
    larl    %r1, done_psw
    ltgr    %r2, %r2
    jz      0f
    larl    %r1, fail_psw
0:  lpswe   0(%r1)

pgm_entry:
    stmg    %r0, %r15, LC_PGM_SAVE
    larl    %r15, pgm_stack_top
    aghi    %r15, -STACK_FRAME
    xc      0(8, %r15), 0(%r15)
    brasl   %r14, handle_pgm_int
    lmg     %r0, %r15, LC_PGM_SAVE
    lpswe   LC_PGM_OLD_PSW

io_entry:
    stmg    %r0, %r15, LC_IO_SAVE
    larl    %r15, io_stack_top
    aghi    %r15, -STACK_FRAME
    xc      0(8, %r15), 0(%r15)
    brasl   %r14, handle_io_int
    lmg     %r0, %r15, LC_IO_SAVE
    lpswe   LC_IO_OLD_PSW

    .section .rodata
    .align  8
start_psw:
    .quad   PSW_MASK_64, start64
new_psws:
    .quad   PSW_MASK_64 | PSW_MASK_WAIT, 0x1a0      /* restart */
    .quad   PSW_MASK_64 | PSW_MASK_WAIT, 0x1b0      /* external */
    .quad   PSW_MASK_64 | PSW_MASK_WAIT, 0x1c0      /* svc */
    .quad   PSW_MASK_64, pgm_entry                  /* program */
    .quad   PSW_MASK_64 | PSW_MASK_WAIT, 0x1e0      /* machine check */
    .quad   PSW_MASK_64, io_entry                   /* I/O */
done_psw:
    /* disabled wait with address 0xfff: QEMU shuts down cleanly */
    .quad   PSW_MASK_64 | PSW_MASK_WAIT, 0xfff
fail_psw:
    /* any other disabled wait is reported by QEMU as a guest panic */
    .quad   PSW_MASK_64 | PSW_MASK_WAIT, 0xbad

    /* stacks live outside .bss so that clearing .bss cannot hit them */
    .section .stack, "aw", @nobits
    .align  4096
    .space  16384
main_stack_top:
    .space  8192
pgm_stack_top:
    .space  8192
io_stack_top:
