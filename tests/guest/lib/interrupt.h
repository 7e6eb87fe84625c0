/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Program-interruption catching and I/O interruption bookkeeping.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_INTERRUPT_H
#define ZT_INTERRUPT_H

#include "libc.h"

#define PGM_OPERATION       0x01
#define PGM_PRIVILEGED      0x02
#define PGM_ADDRESSING      0x05
#define PGM_SPECIFICATION   0x06
#define PGM_OPERAND         0x15

/*
 * Arm the catcher: the next program interruption is expected.  The
 * handler records it and resumes at the old PSW (QEMU reports the
 * exceptions the payloads provoke as suppressing, so that is the next
 * instruction).  An unexpected program interruption prints a "not ok"
 * line and "DONE", then stops the CPU with a failure PSW.
 */
void expect_pgm_int(void);
/* Disarm; returns the caught interruption code or 0 if none happened */
uint16_t clear_pgm_int(void);
/* Old PSW address of the last caught program interruption */
uint64_t last_pgm_int_addr(void);
const char *pgm_int_name(uint16_t code);

struct io_int_record {
    uint32_t count;         /* I/O interruptions taken so far */
    uint32_t word;          /* interruption identification word */
    uint32_t parm;          /* interruption parameter */
    uint32_t sid;           /* subsystem-identification word */
};

/* Snapshot of the I/O interruption record (read with interrupts on) */
void io_int_snapshot(struct io_int_record *rec);

/* Control register access */
uint64_t stctg(int cr);
void lctlg(int cr, uint64_t val);

/* Enable/disable I/O interruptions in the current PSW */
void psw_enable_io(void);
void psw_disable_io(void);

#endif
