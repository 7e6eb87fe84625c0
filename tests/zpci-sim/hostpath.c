/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: how the host kernel turns BAR region accesses into PCI
 * instructions (vfio-pci pieces, ism_vfio_pci blocks) and the
 * architecture's checks on each instruction.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Error numbers follow the kernel's instruction wrappers
 * (arch/s390/pci/pci_insn.c): a condition code other than 0 is EIO, a
 * program exception (the instruction's own specification or operand
 * checks) is ENXIO.  Which of them the caller sees depends on the path:
 * vfio-pci swallows both (a failed load reads as all-ones, a failed store
 * is dropped: arch/s390/include/asm/pci_io.h zpci_read_*()/zpci_write_*()),
 * ism_vfio_pci passes them on, the zPCI I/O region turns them into EIO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>

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

/* Count and log a performed instruction with a digest of its data */
static void insn_done(SimFunction *f, const char *op, int bar, uint64_t off,
                      const void *data, unsigned len)
{
    char hex[65];

    if (!sim.log_ops) {
        sim_count(f, op);
        return;
    }
    sim_digest(data, len, hex);
    sim_log(f, op, "\"%s\": %d, \"offset\": %llu, \"len\": %u, "
            "\"sha256\": \"%s\", \"result\": 0", space_key(op), bar,
            (unsigned long long)off, len, hex);
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

/*
 * Checks common to every instruction form; 0 or negative errno.  The
 * address space must be an implemented BAR and the operand must lie in
 * it (the function does not decode anything else: operand exception).
 */
static int insn_common(SimFunction *f, const char *op, int bar, uint64_t off,
                       unsigned len)
{
    /* inject-after-ops: this instruction meets a PCI error (recovery.c) */
    if (sim_recovery_op(f, op, bar, off, len)) {
        insn_reject(f, op, EIO, "injected: inject-after-ops, PCI error "
                    "event", bar, off, len);
        return -EIO;
    }
    /*
     * A function in the error state (configured, or entered by a PCI
     * error event until VFIO_DEVICE_RESET) blocks loads and stores: a
     * condition code.  A refusal that is the host's rule, not QEMU's
     * fault: the reason keeps the prefix "function in error state".
     */
    if (SIM_CHECK("insn-error-state", f->error_state)) {
        insn_reject(f, op, EIO, "function in error state", bar, off, len);
        return -EIO;
    }
    if (SIM_CHECK("insn-error-event", f->err_blocked)) {
        insn_reject(f, op, EIO, "function in error state (PCI error event, "
                    "until VFIO_DEVICE_RESET)", bar, off, len);
        return -EIO;
    }
    if (SIM_CHECK("insn-address", !bar_range_ok(f, bar, off, len))) {
        insn_reject(f, op, ENXIO, "no such BAR or beyond its end", bar,
                    off, len);
        return -ENXIO;
    }
    return 0;
}

/* PCI Load / PCI Store operand: 1..8 bytes within one doubleword */
static int insn_ldst_check(SimFunction *f, const char *op, int bar,
                           uint64_t off, unsigned len, bool mio)
{
    if (SIM_CHECK("insn-no-mio", mio && !f->mio)) {
        /*
         * vfio-pci maps a BAR through its MIO address on an MIO host
         * (pci_iomap_range_mio()); a function without MIO has none.
         */
        insn_reject(f, op, EIO, "no MIO", bar, off, len);
        return -EIO;
    }
    if (SIM_CHECK("insn-ldst-len", len < 1 || len > 8 ||
                                   (off % 8) + len > 8)) {
        insn_reject(f, op, ENXIO, "length 1..8 within a doubleword", bar,
                    off, len);
        return -ENXIO;
    }
    return insn_common(f, op, bar, off, len);
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
        insn_done(f, op, bar, off, buf, len);
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
        insn_done(f, op, bar, off, buf, len);
    }
    return ret;
}

/*
 * PCI Store Block (legacy form).  Always: 1..maxstbl bytes (the
 * function's real maxstbl), no 4 KiB boundary crossed.  A strict function
 * (no relaxed length/alignment in its CLP group) also needs a length
 * above 8, a multiple of 8, and a doubleword-aligned offset.  Violations
 * are program exceptions of the instruction.
 */
int sim_insn_block(SimFunction *f, const char *op, int bar, uint64_t off,
                   const void *buf, unsigned len)
{
    const char *why = NULL;
    int ret;

    if (SIM_CHECK("pcistb-maxstbl", len == 0 || len > f->maxstbl)) {
        why = "PCISTB length 0 or above maxstbl";
    } else if (SIM_CHECK("pcistb-4k",
                         (off % SIM_PAGE_SIZE) + len > SIM_PAGE_SIZE)) {
        why = "PCISTB crosses a 4 KiB boundary";
    } else if (!f->relaxed) {
        if (SIM_CHECK("pcistb-strict-len8", len <= 8)) {
            why = "strict alignment: block length must exceed 8";
        } else if (SIM_CHECK("pcistb-strict-mult8", len % 8)) {
            why = "strict alignment: block length not a multiple of 8";
        } else if (SIM_CHECK("pcistb-strict-align", off % 8)) {
            why = "strict alignment: offset not doubleword aligned";
        }
    }
    if (why) {
        insn_reject(f, op, ENXIO, why, bar, off, len);
        return -ENXIO;
    }
    ret = insn_common(f, op, bar, off, len);
    if (ret) {
        return ret;
    }
    ret = f->model->block(f, bar, off, buf, len);
    if (ret == 0) {
        insn_done(f, op, bar, off, buf, len);
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

static void region_reject(SimFunction *f, const char *op, int err,
                          const char *why, int bar, uint64_t off, size_t n)
{
    sim_reject(f, op, err, why, "\"bar\": %d, \"offset\": %llu, "
               "\"len\": %zu", bar, (unsigned long long)off, n);
}

/*
 * The BAR check both BAR paths share (vfio_pci_bar_rw(),
 * ism_vfio_pci_bar_rw()): the BAR must exist and pos lie inside it.
 * Returns the count clipped at the BAR's end (the callers apply it).
 */
static ssize_t bar_check(SimFunction *f, const char *op, bool bad,
                         int bar, uint64_t off, size_t n)
{
    uint64_t size = f->bars[bar].size;

    if (bad) {
        region_reject(f, op, EINVAL, "BAR absent or offset at/after its "
                      "end", bar, off, n);
        return -EINVAL;
    }
    if (off < size && n > size - off) {
        n = size - off;
    }
    return n;
}

static bool bar_pos_bad(SimFunction *f, int bar, uint64_t off)
{
    return !f->bars[bar].size || off >= f->bars[bar].size;
}

bool sim_memory_enabled(SimFunction *f)
{
    return f->mem_enabled;
}

/*
 * The MSI-X table range that vfio-pci keeps from user space
 * (vdev->msix_offset, msix_size = entries * 16); the PBA is not in it.
 */
static bool msix_table(SimFunction *f, int bar, uint64_t *start,
                       uint64_t *end)
{
    if (!f->msix_vectors || bar != f->msix_table_bar) {
        return false;
    }
    *start = f->msix_table_off;
    *end = f->msix_table_off + 16ULL * f->msix_vectors;
    return true;
}

/*
 * vfio-pci: vfio_pci_bar_rw() and vfio_pci_core_do_io_rw().  Pieces of
 * 8/4/2/1 bytes, each an ioread/iowrite (one PCI Load/Store, MIO form on
 * an MIO host) after checking that memory decode is enabled; the MSI-X
 * table reads as 0xff and drops writes.  A piece the instruction fails
 * reads as all-ones or is dropped, and the call still succeeds.
 */
static ssize_t vfio_bar_rw(SimFunction *f, int bar, void *buf, size_t n,
                           uint64_t off, bool write)
{
    const char *op = write ? "bar_write" : "bar_read";
    uint64_t x_start = 0, x_end = 0, pos;
    size_t done, fill;
    unsigned len;
    ssize_t clip;
    int ret;

    clip = bar_check(f, op, SIM_CHECK("vfio-bar-range",
                                      bar_pos_bad(f, bar, off)),
                     bar, off, n);
    if (clip < 0) {
        return clip;
    }
    /*
     * An ISM function has non_mappable_bars (arch/s390/pci/pci_fixup.c,
     * by PCI ID), so vfio_pci_core_map_bars() leaves its BARs unmapped.
     */
    if (SIM_CHECK("vfio-ism-unmapped", f->vendor_id == 0x1014 &&
                                       f->device_id == 0x04ed)) {
        region_reject(f, op, ENODEV, "vfio-pci: ISM BARs are not mapped "
                      "(non_mappable_bars)", bar, off, n);
        return -ENODEV;
    }
    if (SIM_CHECK("vfio-bar-clip", n > (size_t)clip)) {
        n = clip;
    }
    /* backing=memfd: the system call that carries this access */
    ret = sim_backing_io(f, write, buf, n, bar, off);
    if (ret) {
        return ret;
    }
    if (!SIM_CHECK("vfio-msix-table", msix_table(f, bar, &x_start,
                                                  &x_end))) {
        x_start = x_end = 0;
    }
    for (done = 0; done < n; done += len) {
        pos = off + done;
        if (pos < x_start) {
            fill = MIN(n - done, x_start - pos);
        } else if (pos >= x_end) {
            fill = n - done;
        } else {
            /* Inside the MSI-X table: reads 0xff, writes dropped */
            len = MIN(n - done, x_end - pos);
            if (!write) {
                memset((char *)buf + done, 0xff, len);
            }
            sim_log(f, write ? "msix_table_write" : "msix_table_read",
                    "\"bar\": %d, \"offset\": %llu, \"len\": %u, "
                    "\"result\": 0", bar, (unsigned long long)pos, len);
            continue;
        }
        len = piece_len(pos, fill);
        if (SIM_CHECK("vfio-mem-enable", !sim_memory_enabled(f))) {
            region_reject(f, op, EIO, "vfio-pci: memory decode disabled "
                          "in the command register", bar, pos, len);
            return -EIO;
        }
        if (write) {
            ret = sim_insn_store(f, op, bar, pos, (char *)buf + done, len,
                                 f->host_mio);
        } else {
            ret = sim_insn_load(f, op, bar, pos, (char *)buf + done, len,
                                f->host_mio);
            if (ret) {
                /* zpci_read_*(): a failed load returns all-ones */
                memset((char *)buf + done, 0xff, len);
            }
        }
    }
    return n;
}

/*
 * ism_vfio_pci: ism_vfio_pci_bar_rw().  A write is exactly one PCI Store
 * Block (legacy form) of count bytes at off: EINVAL above the function's
 * maxstbl or across 4 KiB, nothing else checked (no memory enable, no
 * length or alignment rule of its own).  A read is a loop of legacy PCI
 * Loads of 8/4/2/1 bytes.  Instruction failures reach the caller.
 */
static ssize_t ism_bar_rw(SimFunction *f, int bar, void *buf, size_t n,
                          uint64_t off, bool write)
{
    const char *op = write ? "bar_block" : "bar_load";
    size_t done;
    unsigned len;
    ssize_t clip;
    int ret;

    clip = bar_check(f, op, SIM_CHECK("ismvp-bar-range",
                                      bar_pos_bad(f, bar, off)),
                     bar, off, n);
    if (clip < 0) {
        return clip;
    }
    if (SIM_CHECK("ismvp-stb-end", write && f->ism_stb_cap &&
                                   n > (size_t)clip)) {
        /* kernel/0004: a write is one PCI Store Block, all or nothing */
        region_reject(f, op, EINVAL, "ism_vfio_pci: write ends beyond the "
                      "BAR", bar, off, n);
        return -EINVAL;
    }
    if (SIM_CHECK("ismvp-clip", n > (size_t)clip)) {
        n = clip;
    }
    if (write) {
        if (SIM_CHECK("ismvp-maxstbl", n > f->maxstbl)) {
            region_reject(f, op, EINVAL, "ism_vfio_pci: count exceeds "
                          "maxstbl", bar, off, n);
            return -EINVAL;
        }
        if (SIM_CHECK("ismvp-4k",
                      (off % SIM_PAGE_SIZE) + n > SIM_PAGE_SIZE)) {
            region_reject(f, op, EINVAL, "ism_vfio_pci: write crosses a "
                          "4 KiB boundary", bar, off, n);
            return -EINVAL;
        }
    }
    ret = sim_backing_io(f, write, buf, n, bar, off);
    if (ret) {
        return ret;
    }
    if (write) {
        ret = sim_insn_block(f, op, bar, off, buf, n);
        return ret ? ret : (ssize_t)n;
    }
    for (done = 0; done < n; done += len) {
        len = piece_len(off + done, n - done);
        ret = sim_insn_load(f, op, bar, off + done, (char *)buf + done, len,
                            false);
        if (ret) {
            return ret;
        }
    }
    return n;
}

ssize_t sim_bar_pread(SimFunction *f, int bar, void *buf, size_t n,
                      uint64_t off)
{
    if (f->driver == SIM_DRV_ISM_VFIO_PCI) {
        return ism_bar_rw(f, bar, buf, n, off, false);
    }
    return vfio_bar_rw(f, bar, buf, n, off, false);
}

ssize_t sim_bar_pwrite(SimFunction *f, int bar, const void *buf, size_t n,
                       uint64_t off)
{
    if (f->driver == SIM_DRV_ISM_VFIO_PCI) {
        return ism_bar_rw(f, bar, (void *)buf, n, off, true);
    }
    return vfio_bar_rw(f, bar, (void *)buf, n, off, true);
}
