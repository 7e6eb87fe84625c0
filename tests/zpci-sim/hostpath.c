/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: how the host kernel turns BAR region accesses into PCI
 * instructions (vfio-pci pieces, ism_vfio_pci blocks) and the
 * architecture's checks on each instruction.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "zpci-sim.h"

static const char *space_key(const char *op)
{
    return strncmp(op, "zio", 3) == 0 ? "pcias" : "bar";
}

/* Log a refused instruction with its address space, offset and length */
static void insn_reject(SimFunction *f, const char *op, int err,
                        const char *why, int bar, uint64_t off, unsigned len)
{
    sim_reject(f, op, err, why, "\"%s\": %d, \"offset\": %llu, \"len\": %u",
               space_key(op), bar, (unsigned long long)off, len);
}

/* Count and log a performed instruction */
static void insn_done(SimFunction *f, const char *op, int bar, uint64_t off,
                      unsigned len)
{
    sim_log(f, op, "\"%s\": %d, \"offset\": %llu, \"len\": %u, "
            "\"result\": 0", space_key(op), bar, (unsigned long long)off,
            len);
}

static bool bar_range_ok(SimFunction *f, int bar, uint64_t off, uint64_t len)
{
    uint64_t size;

    if (bar < 0 || bar >= SIM_NUM_BARS) {
        return false;
    }
    size = f->bars[bar].size;
    return size && off < size && len <= size - off;
}

/* Checks common to every instruction form; 0 or negative errno */
static int insn_common(SimFunction *f, const char *op, int bar, uint64_t off,
                       unsigned len)
{
    if (f->error_state) {
        insn_reject(f, op, EIO, "function in error state", bar, off, len);
        return -EIO;
    }
    if (!bar_range_ok(f, bar, off, len)) {
        insn_reject(f, op, EINVAL, "no such BAR or beyond its end", bar,
                    off, len);
        return -EINVAL;
    }
    return 0;
}

/* PCI Load / PCI Store operand: 1..8 bytes within one doubleword */
static int insn_ldst_check(SimFunction *f, const char *op, int bar,
                           uint64_t off, unsigned len, bool mio)
{
    int ret;

    if (mio && !f->mio) {
        insn_reject(f, op, EIO, "no MIO", bar, off, len);
        return -EIO;
    }
    if (len < 1 || len > 8 || (off % 8) + len > 8) {
        insn_reject(f, op, EINVAL, "length 1..8 within a doubleword", bar,
                    off, len);
        return -EINVAL;
    }
    ret = insn_common(f, op, bar, off, len);
    return ret;
}

int sim_insn_load(SimFunction *f, const char *op, int bar, uint64_t off,
                  void *buf, unsigned len, bool mio)
{
    int ret = insn_ldst_check(f, op, bar, off, len, mio);

    if (ret) {
        return ret;
    }
    ret = f->model->load(f, bar, off, buf, len);
    if (ret == 0) {
        insn_done(f, op, bar, off, len);
    }
    return ret;
}

int sim_insn_store(SimFunction *f, const char *op, int bar, uint64_t off,
                   const void *buf, unsigned len, bool mio)
{
    int ret = insn_ldst_check(f, op, bar, off, len, mio);

    if (ret) {
        return ret;
    }
    ret = f->model->store(f, bar, off, buf, len);
    if (ret == 0) {
        insn_done(f, op, bar, off, len);
    }
    return ret;
}

/*
 * PCI Store Block (legacy form).  Always: 1..maxstbl bytes, no 4 KiB
 * boundary crossed.  A strict function (no relaxed-alignment flag) also
 * needs length > 8, a multiple of 8, and a doubleword-aligned offset.
 */
int sim_insn_block(SimFunction *f, const char *op, int bar, uint64_t off,
                   const void *buf, unsigned len)
{
    const char *why = NULL;
    int err = EINVAL;
    int ret;

    if (len == 0 || len > f->maxstbl) {
        why = "PCISTB length 0 or above maxstbl";
    } else if ((off % SIM_PAGE_SIZE) + len > SIM_PAGE_SIZE) {
        why = "PCISTB crosses a 4 KiB boundary";
    } else if (!f->relaxed) {
        /* Found by the instruction itself: the host sees a failure */
        err = EIO;
        if (len <= 8) {
            why = "strict alignment: block length must exceed 8";
        } else if (len % 8) {
            why = "strict alignment: block length not a multiple of 8";
        } else if (off % 8) {
            why = "strict alignment: offset not doubleword aligned";
        }
    }
    if (why) {
        insn_reject(f, op, err, why, bar, off, len);
        return -err;
    }
    ret = insn_common(f, op, bar, off, len);
    if (ret) {
        return ret;
    }
    ret = f->model->block(f, bar, off, buf, len);
    if (ret == 0) {
        insn_done(f, op, bar, off, len);
    }
    return ret;
}

/* Largest naturally aligned piece (8/4/2/1) at off that fits in left */
static unsigned piece_len(uint64_t off, size_t left)
{
    if (left >= 8 && !(off % 8)) {
        return 8;
    }
    if (left >= 4 && !(off % 4)) {
        return 4;
    }
    if (left >= 2 && !(off % 2)) {
        return 2;
    }
    return 1;
}

static bool region_check(SimFunction *f, const char *op, int bar,
                         uint64_t off, size_t n)
{
    if (!bar_range_ok(f, bar, off, n)) {
        sim_reject(f, op, EINVAL, "access beyond the BAR region",
                   "\"bar\": %d, \"offset\": %llu, \"len\": %zu", bar,
                   (unsigned long long)off, n);
        return false;
    }
    return true;
}

/*
 * vfio-pci: pieces of at most 8 bytes, each one MIO load/store.
 * ism_vfio_pci: reads as naturally aligned loads (legacy form).
 */
ssize_t sim_bar_pread(SimFunction *f, int bar, void *buf, size_t n,
                      uint64_t off)
{
    bool ism = f->driver == SIM_DRV_ISM_VFIO_PCI;
    const char *op = ism ? "bar_load" : "bar_read";
    size_t done;
    unsigned len;
    int ret;

    if (!region_check(f, op, bar, off, n)) {
        return -EINVAL;
    }
    /* backing=memfd: the system call that carries this access */
    ret = sim_backing_io(f, false, buf, n, bar, off);
    if (ret) {
        return ret;
    }
    for (done = 0; done < n; done += len) {
        len = piece_len(off + done, n - done);
        ret = sim_insn_load(f, op, bar, off + done, (char *)buf + done, len,
                            !ism);
        if (ret) {
            return ret;
        }
    }
    return n;
}

ssize_t sim_bar_pwrite(SimFunction *f, int bar, const void *buf, size_t n,
                       uint64_t off)
{
    size_t done;
    unsigned len;
    int ret;

    if (f->driver == SIM_DRV_ISM_VFIO_PCI) {
        /* One write is exactly one PCI Store Block, never split */
        if (n > f->maxstbl) {
            sim_reject(f, "bar_block", EINVAL,
                       "ism_vfio_pci: count exceeds maxstbl",
                       "\"bar\": %d, \"offset\": %llu, \"len\": %zu", bar,
                       (unsigned long long)off, n);
            return -EINVAL;
        }
        if ((off % SIM_PAGE_SIZE) + n > SIM_PAGE_SIZE) {
            sim_reject(f, "bar_block", EINVAL,
                       "ism_vfio_pci: write crosses a 4 KiB boundary",
                       "\"bar\": %d, \"offset\": %llu, \"len\": %zu", bar,
                       (unsigned long long)off, n);
            return -EINVAL;
        }
        if (!region_check(f, "bar_block", bar, off, n)) {
            return -EINVAL;
        }
        if (n == 0) {
            return 0;
        }
        ret = sim_backing_io(f, true, (void *)buf, n, bar, off);
        if (ret) {
            return ret;
        }
        ret = sim_insn_block(f, "bar_block", bar, off, buf, n);
        return ret ? ret : (ssize_t)n;
    }
    if (!region_check(f, "bar_write", bar, off, n)) {
        return -EINVAL;
    }
    ret = sim_backing_io(f, true, (void *)buf, n, bar, off);
    if (ret) {
        return ret;
    }
    for (done = 0; done < n; done += len) {
        len = piece_len(off + done, n - done);
        ret = sim_insn_store(f, "bar_write", bar, off + done,
                             (const char *)buf + done, len, true);
        if (ret) {
            return ret;
        }
    }
    return n;
}
