/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Benchmark payload: a fixed number of PCI Store Blocks and PCI Loads,
 * timed with the TOD clock.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The payload enables one function and issues, back to back, 'count'
 * PCI Store Blocks of 'size' bytes to 'bar' at 'off', then 'lg_count'
 * 8-byte PCI Loads from 'lg_bar' at 'lg_off'.  Either count may be 0 (a
 * run with both 0 measures QEMU's start-up and shut-down alone).
 * Parameters (see docs/benchmark.rst):
 *
 *   fid                 function to enable (required)
 *   size count bar off  the PCISTB loop
 *   hole                offset inside the block whose 8 bytes are zero
 *                       (e.g. over a doorbell register, so that writing
 *                       it names vector 0); default: none
 *   lg_count lg_bar lg_off  the PCILG loop
 *
 * Console, one line per loop, for tests/bench/bench.py:
 *
 *   # bench op=stb size=S count=N tod=T fails=F
 *   # bench op=lg size=8 count=N tod=T fails=F
 *
 * T is the TOD-clock difference around the loop (bit 51 = 1 us, so
 * T / 4096 microseconds); F counts instructions with a condition code
 * other than 0.  The check lines "stb" and "lg" are ok when the first
 * instruction raised no program interruption and F is 0.
 */
#include "zpci.h"

#define NO_HOLE (~0ull)

static uint8_t block[4096] ALIGNED(4096);

static uint64_t tod_now(void)
{
    uint64_t tod;

    /* STORE CLOCK FAST: no waiting for a unique value */
    asm volatile(".insn s,0xb27c0000,%0" : "=Q" (tod) : : "cc");
    return tod;
}

/*
 * Run the first instruction of a loop bracketed, so that a program
 * interruption (a length the function does not accept) is reported
 * instead of stopping the payload.  Returns true if the loop may go on.
 */
static bool first_ok(const char *name, bool stb, uint32_t fh, uint8_t as,
                     uint64_t off, uint16_t len)
{
    uint64_t data;
    uint16_t code;
    uint8_t st = 0;
    int cc;

    expect_pgm_int();
    if (stb) {
        cc = pcistb(block, fh, as, off, len, &st);
    } else {
        cc = pcilg(&data, fh, as, off, len, &st);
    }
    code = clear_pgm_int();
    return report(code == 0 && cc == 0, name,
                  "first instruction: %s, cc %d status %u",
                  code ? pgm_int_name(code) : "no interruption", cc, st);
}

static void bench_stb(uint32_t fh)
{
    uint64_t size = param_u64("size", 0);
    uint64_t count = param_u64("count", 0);
    uint8_t bar = param_u64("bar", 0);
    uint64_t off = param_u64("off", 0);
    uint64_t hole = param_u64("hole", NO_HOLE);
    uint64_t t0, t1, fails = 0;
    uint8_t st;

    if (!count || !size) {
        return;
    }
    if (size > sizeof(block)) {
        report(false, "stb", "size %lu above %lu", size, sizeof(block));
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        block[i] = (uint8_t)(0xa5 ^ i ^ (i >> 8));
    }
    if (hole < size) {
        memset(block + (hole & ~7ull), 0, 8);
    }
    /* the bracketed first instruction is part of the count, untimed */
    if (!first_ok("stb", true, fh, bar, off, size)) {
        return;
    }
    t0 = tod_now();
    for (uint64_t i = 1; i < count; i++) {
        if (pcistb(block, fh, bar, off, size, &st)) {
            fails++;
        }
    }
    t1 = tod_now();
    report_info("bench op=stb size=%lu count=%lu tod=%lu fails=%lu", size,
                count - 1, t1 - t0, fails);
    report(fails == 0, "stb-loop", "%lu of %lu PCISTB failed", fails,
           count - 1);
}

static void bench_lg(uint32_t fh)
{
    uint64_t count = param_u64("lg_count", 0);
    uint8_t bar = param_u64("lg_bar", 0);
    uint64_t off = param_u64("lg_off", 0);
    uint64_t t0, t1, data, fails = 0;
    uint8_t st;

    if (!count) {
        return;
    }
    if (!first_ok("lg", false, fh, bar, off, 8)) {
        return;
    }
    t0 = tod_now();
    for (uint64_t i = 1; i < count; i++) {
        if (pcilg(&data, fh, bar, off, 8, &st)) {
            fails++;
        }
    }
    t1 = tod_now();
    report_info("bench op=lg size=8 count=%lu tod=%lu fails=%lu", count - 1,
                t1 - t0, fails);
    report(fails == 0, "lg-loop", "%lu of %lu PCILG failed", fails,
           count - 1);
}

int main(void)
{
    uint32_t fh;

    if (!zpci_setup_open(param_u64("fid", ~0u), PCI_COMMAND_MEMORY, &fh)) {
        return 1;
    }
    bench_stb(fh);
    bench_lg(fh);
    return 0;
}
