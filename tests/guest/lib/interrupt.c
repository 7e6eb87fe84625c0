/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Program-interruption catching and I/O interruption bookkeeping.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "interrupt.h"
#include "asm-offsets.h"
#include "entry.h"

/* volatile: low core is written by the machine, not by the program */
#define LOWCORE_U16(off) (*(volatile uint16_t *)(uintptr_t)(off))
/* volatile: as above */
#define LOWCORE_U32(off) (*(volatile uint32_t *)(uintptr_t)(off))
/* volatile: as above */
#define LOWCORE_U64(off) (*(volatile uint64_t *)(uintptr_t)(off))

/* shared with the interruption handlers, which run asynchronously */
static volatile bool pgm_expected;  /* set by the test, read by handler */
static volatile uint16_t pgm_code;  /* written by the handler */
static volatile uint64_t pgm_addr;  /* written by the handler */

/* written by the I/O handler, polled by airq_wait() */
static volatile struct io_int_record io_rec;

void expect_pgm_int(void)
{
    pgm_code = 0;
    pgm_addr = 0;
    barrier();
    pgm_expected = true;
    barrier();
}

uint16_t clear_pgm_int(void)
{
    uint16_t code;

    barrier();
    pgm_expected = false;
    code = pgm_code;
    pgm_code = 0;
    return code;
}

uint64_t last_pgm_int_addr(void)
{
    return pgm_addr;
}

const char *pgm_int_name(uint16_t code)
{
    switch (code) {
    case 0:
        return "none";
    case PGM_OPERATION:
        return "operation exception";
    case PGM_PRIVILEGED:
        return "privileged-operation exception";
    case PGM_ADDRESSING:
        return "addressing exception";
    case PGM_SPECIFICATION:
        return "specification exception";
    case PGM_OPERAND:
        return "operand exception";
    default:
        return "other program interruption";
    }
}

void handle_pgm_int(void)
{
    uint16_t code = LOWCORE_U16(LC_PGM_CODE);
    uint64_t addr = LOWCORE_U64(LC_PGM_OLD_PSW + 8);

    if (!pgm_expected) {
        printf("not ok - unexpected program interruption: code 0x%x (%s) "
               "old psw addr 0x%lx\n", code, pgm_int_name(code), addr);
        printf("DONE\n");
        payload_exit(1);
    }
    pgm_expected = false;
    pgm_code = code;
    pgm_addr = addr;
}

void handle_io_int(void)
{
    io_rec.sid = LOWCORE_U32(LC_SUBCHANNEL_ID);
    io_rec.parm = LOWCORE_U32(LC_IO_INT_PARM);
    io_rec.word = LOWCORE_U32(LC_IO_INT_WORD);
    barrier();
    io_rec.count++;
}

void io_int_snapshot(struct io_int_record *rec)
{
    uint32_t c;

    do {
        c = io_rec.count;
        barrier();
        rec->word = io_rec.word;
        rec->parm = io_rec.parm;
        rec->sid = io_rec.sid;
        barrier();
        rec->count = io_rec.count;
    } while (c != rec->count);
}

uint64_t stctg(int cr)
{
    uint64_t val;

    /* the control register number is part of the instruction */
    switch (cr) {
    case 0:
        asm volatile("stctg %%c0,%%c0,%0" : "=Q" (val));
        break;
    case 6:
        asm volatile("stctg %%c6,%%c6,%0" : "=Q" (val));
        break;
    default:
        val = 0;
        break;
    }
    return val;
}

void lctlg(int cr, uint64_t val)
{
    switch (cr) {
    case 0:
        asm volatile("lctlg %%c0,%%c0,%0" : : "Q" (val) : "memory");
        break;
    case 6:
        asm volatile("lctlg %%c6,%%c6,%0" : : "Q" (val) : "memory");
        break;
    default:
        break;
    }
}

void psw_enable_io(void)
{
    /* STOSM: OR 0x02 into the first PSW byte (I/O mask) */
    uint8_t old;

    asm volatile("stosm %0,0x02" : "=Q" (old) : : "memory");
}

void psw_disable_io(void)
{
    uint8_t old;

    asm volatile("stnsm %0,0xfd" : "=Q" (old) : : "memory");
}
