/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Passthrough MSI-X function: CLP, BAR load/store/block, DMA, MSI-X.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Parameters (see docs/guest-harness.rst):
 *   fid          function to use (required)
 *   vendor device  expected PCI ids (optional)
 *   pft          expected PCI function type (optional)
 *   mbox_bar mbox_off   a read/write scratch register area (8 bytes)
 *   stb_off      offset in mbox_bar of a 64-byte PCISTB target
 *   stb_order    0: block bytes land in order (architecture), 1: each
 *                8-byte piece lands byte-reversed (stock QEMU on x86)
 *   db_bar db_off db_val  doorbell register (little-endian u32) and the
 *                value that makes the function raise MSI-X vector 'vector'
 *   vector isc aibvo aisbo  interrupt set-up
 *   timeout_ms   how long to wait for the interrupt
 */
#include "zpci.h"

static uint64_t stb_buf[8] ALIGNED(256);
static uint8_t aibv[64] ALIGNED(8);
static uint8_t aisb[8] ALIGNED(8);
static uint8_t dma_page[4096] ALIGNED(4096);
static struct zpci_dma_space dma;

static bool airq_checks(uint32_t fh, const struct clp_query_pci_grp *g)
{
    struct zpci_msix m;
    struct io_int_record rec;
    unsigned vector = param_u64("vector", 1);
    uint8_t isc = param_u64("isc", 3);
    uint8_t aibvo = param_u64("aibvo", 0);
    uint8_t aisbo = param_u64("aisbo", 0);
    uint8_t db_bar = param_u64("db_bar", 0);
    uint64_t db_off = param_u64("db_off", 0);
    uint64_t db_val = param_u64("db_val", vector);
    uint64_t timeout = param_u64("timeout_ms", 5000) * 1000;
    uint32_t before, ctrl;
    uint8_t st;
    int cc, bit;
    bool got;

    cc = zpci_msix_probe(fh, &m);
    if (!report(cc == 0 && vector < m.entries, "msix-probe",
                "cc %d cap 0x%x entries %u vector %u", cc, m.cap, m.entries,
                vector)) {
        return false;
    }
    report_info("msix table bar %u off 0x%x, pba bar %u off 0x%x",
                m.table_bar, m.table_off, m.pba_bar, m.pba_off);

    /* interrupt routing must exist before the function may signal */
    cc = zpci_reg_airq(fh, isc, m.entries, aibv, aibvo, aisb, aisbo, &st);
    if (!report(cc == 0, "airq-register", "mpcifc cc %d status %u", cc,
                st)) {
        return false;
    }
    for (unsigned v = 0; v < m.entries; v++) {
        /* every vector routed, only 'vector' unmasked */
        cc = zpci_msix_set_entry(fh, &m, v, g->msia, v, v != vector);
        if (cc) {
            break;
        }
    }
    report(cc == 0, "msix-program-table", "pcistg cc %d", cc);
    cc = zpci_msix_enable(fh, &m, true);
    cc = cc ? cc : zpci_cfg_read(fh, m.cap + PCI_MSIX_FLAGS, 2, &ctrl);
    report(cc == 0 && (ctrl & PCI_MSIX_FLAGS_ENABLE) &&
           !(ctrl & PCI_MSIX_FLAGS_MASKALL), "msix-enable",
           "cc %d control 0x%x", cc, ctrl);

    airq_enable_isc(isc);
    /* nothing may arrive before the doorbell */
    before = io_int_count();
    got = airq_wait(before, 100000, &rec);
    report(!got, "airq-quiet-before-doorbell",
           "interruption word 0x%x before the doorbell", rec.word);

    before = io_int_count();
    cc = zpci_write_le(fh, db_bar, db_off, 4, db_val);
    report(cc == 0, "doorbell-write", "cc %d", cc);
    got = airq_wait(before, timeout, &rec);
    airq_disable();
    if (!report(got, "airq-interrupt", "no I/O interruption within %lu ms",
                timeout / 1000)) {
        return false;
    }
    report(io_int_is_adapter(rec.word, isc), "airq-isc",
           "interruption word 0x%x, want adapter + isc %u", rec.word, isc);
    report(test_bit_inv(aisb, aisbo), "airq-summary-bit",
           "summary bit %u clear (byte 0x%x)", aisbo, aisb[aisbo / 8]);
    bit = find_first_bit_inv(aibv, sizeof(aibv) * 8);
    report(bit == aibvo + (int)vector, "airq-vector-bit",
           "first vector bit %d, want %u", bit, aibvo + vector);
    if (bit >= 0) {
        clear_bit_inv(aibv, bit);
    }
    bit = find_first_bit_inv(aibv, sizeof(aibv) * 8);
    report(bit < 0, "airq-single-vector", "also bit %d set", bit);

    cc = zpci_msix_enable(fh, &m, false);
    cc = cc ? cc : zpci_dereg_airq(fh, &st);
    report(cc == 0, "airq-teardown", "cc %d", cc);
    return true;
}

static void dma_checks(uint32_t fh, const struct clp_query_pci *q)
{
    uint64_t iova;
    uint8_t st;
    int cc;

    zpci_dma_init(&dma, q->sdma, 128ull << 20);
    if (dma.pal > q->edma) {
        report_skip("dma-reg-ioat", "dma window 0x%lx-0x%lx too small",
                    q->sdma, q->edma);
        return;
    }
    cc = zpci_reg_ioat(fh, dma.pba, dma.pal, zpci_dma_iota(&dma), &st);
    report(cc == 0, "dma-reg-ioat", "mpcifc cc %d status %u", cc, st);
    if (zpci_dma_map(&dma, dma_page, sizeof(dma_page), &iova)) {
        report(false, "dma-map", "table pool exhausted");
        return;
    }
    cc = rpcit(fh, iova, sizeof(dma_page), &st);
    report(cc == 0, "dma-rpcit", "cc %d status %u", cc, st);
    report_info("dma page iova 0x%lx", iova);
}

int main(void)
{
    struct clp_fh_entry fn;
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    uint32_t fid = param_u64("fid", ~0u);
    uint8_t mbar = param_u64("mbox_bar", 0);
    uint64_t moff = param_u64("mbox_off", 0);
    uint64_t soff = param_u64("stb_off", 0x100);
    unsigned stb_order = param_u64("stb_order", 0);
    uint64_t data, want = 0, pattern = 0x0123456789abcdefull;
    uint32_t fh;
    uint16_t rsp;
    uint8_t st;
    int cc, bad;

    if (!report(fid != ~0u && clp_find(fid, 0, 0, &fn), "clp-list",
                "fid 0x%x not listed", fid)) {
        return 1;
    }
    if (param_u64("vendor", 0)) {
        report(fn.vendor_id == param_u64("vendor", 0) &&
               fn.device_id == param_u64("device", 0), "clp-list-ids",
               "%04x:%04x", fn.vendor_id, fn.device_id);
    }
    fh = fn.fh;
    cc = clp_query_pci(fh, &q, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && q.fid == fid, "clp-query",
           "cc %d rsp 0x%x fid 0x%x", cc, rsp, q.fid);
    report_info("pft %u pfgid %u sdma 0x%lx edma 0x%lx bar0 2^%u",
                q.pft, q.pfgid, q.sdma, q.edma, q.bar_size[0]);
    if (param_u64("pft", 0xff) != 0xff) {
        report(q.pft == param_u64("pft", 0), "clp-query-pft", "pft %u",
               q.pft);
    }
    cc = clp_query_pci_grp(q.pfgid, &g, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && g.msia, "clp-query-group",
           "cc %d rsp 0x%x msia 0x%lx", cc, rsp, g.msia);
    report_info("msia 0x%lx maxstbl %u noi %u", g.msia, g.maxstbl,
                g.noi & 0xfff);

    if (!zpci_setup_enable(fh, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
                           &fh)) {
        return 1;
    }

    /* mailbox round trips, 8 and 4 bytes */
    cc = pcistg(pattern, fh, mbar, moff, 8, &st);
    cc = cc ? cc : pcilg(&data, fh, mbar, moff, 8, &st);
    report(cc == 0 && data == pattern, "mbox-roundtrip-8",
           "cc %d status %u read 0x%lx want 0x%lx", cc, st, data, pattern);
    cc = pcistg(0xa5c3e1f0, fh, mbar, moff + 4, 4, &st);
    cc = cc ? cc : pcilg(&data, fh, mbar, moff + 4, 4, &st);
    report(cc == 0 && data == 0xa5c3e1f0, "mbox-roundtrip-4",
           "cc %d status %u read 0x%lx", cc, st, data);

    /* one 64-byte block; the host sees it as the pieces the path makes */
    for (int i = 0; i < 8; i++) {
        stb_buf[i] = 0x1111111111111111ull * (i + 1) ^ 0x8040201008040201ull;
    }
    cc = pcistb(stb_buf, fh, mbar, soff, sizeof(stb_buf), &st);
    report(cc == 0, "pcistb-64", "cc %d status %u", cc, st);
    /*
     * Architecturally byte i of the block lands at offset + i, so PCILG
     * reads back what was stored.  stb_order=1 states instead that each
     * 8-byte piece arrives byte-reversed: what stock QEMU does on a
     * little-endian host (see docs/guest-harness.rst).
     */
    bad = -1;
    for (int i = 0; i < 8 && !cc; i++) {
        want = stb_order ? bswap_len(stb_buf[i], 8) : stb_buf[i];
        cc = pcilg(&data, fh, mbar, soff + 8 * i, 8, &st);
        if (cc || data != want) {
            bad = i;
            break;
        }
    }
    report(cc == 0 && bad < 0, "pcistb-64-readback",
           "cc %d piece %d read 0x%lx want 0x%lx (stb_order %u)", cc, bad,
           data, want, stb_order);

    dma_checks(fh, &q);
    airq_checks(fh, &g);

    cc = clp_disable(fh, &fh, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && !(fh & CLP_FH_ENABLED),
           "clp-disable", "cc %d rsp 0x%x fh 0x%x", cc, rsp, fh);
    return 0;
}
