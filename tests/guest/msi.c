/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Passthrough MSI-only function: multiple-message MSI delivered as an
 * adapter interruption with the right vector bit.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The function (zpci-sim msi-dev) has an MSI capability for several
 * messages and no MSI-X; writing N to its doorbell makes it signal MSI
 * vector N.  The payload enables 2^log2_vectors messages with message
 * data 0, so vector N arrives with data N and must set bit aibvo + N of
 * the adapter interruption bit vector, and nothing else.
 *
 * Parameters: fid (required), vendor device (expected PCI ids,
 * optional), vector (2), log2_vectors (2: four messages), isc (3),
 * aibvo (0), aisbo (0), db_bar db_off (doorbell, LE u32: 2, 0),
 * timeout_ms (5000).
 */
#include "zpci.h"

static uint8_t aibv[8] ALIGNED(8);
static uint8_t aisb[8] ALIGNED(8);

int main(void)
{
    struct clp_fh_entry fn;
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    struct io_int_record rec;
    uint32_t fid = param_u64("fid", ~0u);
    unsigned vector = param_u64("vector", 2);
    unsigned log2n = param_u64("log2_vectors", 2);
    uint8_t isc = param_u64("isc", 3);
    uint8_t aibvo = param_u64("aibvo", 0);
    uint8_t aisbo = param_u64("aisbo", 0);
    uint8_t db_bar = param_u64("db_bar", 2);
    uint64_t db_off = param_u64("db_off", 0);
    uint64_t timeout = param_u64("timeout_ms", 5000) * 1000;
    uint32_t fh, before, ctrl = 0;
    uint16_t rsp;
    uint8_t st, msi;
    int cc, bit;
    bool got;

    if (!report(fid != ~0u && clp_find(fid, 0, 0, &fn), "clp-list",
                "fid 0x%x not listed", fid)) {
        return 1;
    }
    if (param_u64("vendor", 0)) {
        report(fn.vendor_id == param_u64("vendor", 0) &&
               fn.device_id == param_u64("device", 0), "clp-list-ids",
               "%04x:%04x", fn.vendor_id, fn.device_id);
    }
    cc = clp_query_pci(fn.fh, &q, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && q.fid == fid, "clp-query",
           "cc %d rsp 0x%x fid 0x%x", cc, rsp, q.fid);
    cc = clp_query_pci_grp(q.pfgid, &g, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && g.msia, "clp-query-group",
           "cc %d rsp 0x%x msia 0x%lx", cc, rsp, g.msia);
    report_info("group pfgid=%u maxstbl=%u flags=0x%02x noi=%u", q.pfgid,
                g.maxstbl, g.flags, g.noi & 0xfff);
    if (!zpci_setup_enable(fn.fh, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
                           &fh)) {
        return 1;
    }

    msi = zpci_find_cap(fh, PCI_CAP_ID_MSI);
    report(msi && !zpci_find_cap(fh, PCI_CAP_ID_MSIX), "msi-only",
           "msi cap 0x%x", msi);
    if (!msi) {
        return 1;
    }
    cc = zpci_reg_airq(fh, isc, 1u << log2n, aibv, aibvo, aisb, aisbo, &st);
    if (!report(cc == 0, "airq-register", "mpcifc cc %d status %u", cc,
                st)) {
        return 1;
    }
    cc = zpci_msi_enable_vectors(fh, msi, g.msia, 0, log2n);
    cc = cc ? cc : zpci_cfg_read(fh, msi + PCI_MSI_FLAGS, 2, &ctrl);
    report(cc == 0 && (ctrl & PCI_MSI_FLAGS_ENABLE) &&
           ((ctrl & PCI_MSI_FLAGS_QSIZE) >> 4) == log2n, "msi-enable",
           "cc %d control 0x%x, want %u messages", cc, ctrl, 1u << log2n);

    airq_enable_isc(isc);
    before = io_int_count();
    got = airq_wait(before, 100000, &rec);
    report(!got, "airq-quiet-before-doorbell",
           "interruption word 0x%x before the doorbell", rec.word);

    before = io_int_count();
    cc = zpci_write_le(fh, db_bar, db_off, 4, vector);
    report(cc == 0, "doorbell-write", "cc %d", cc);
    got = airq_wait(before, timeout, &rec);
    airq_disable();
    if (report(got, "airq-interrupt", "no I/O interruption within %lu ms",
               timeout / 1000)) {
        report(io_int_is_adapter(rec.word, isc), "airq-isc",
               "interruption word 0x%x, want adapter + isc %u", rec.word,
               isc);
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
    }

    cc = zpci_cfg_write(fh, msi + PCI_MSI_FLAGS, 2,
                        ctrl & ~PCI_MSI_FLAGS_ENABLE);
    cc = cc ? cc : zpci_dereg_airq(fh, &st);
    report(cc == 0, "airq-teardown", "cc %d", cc);
    cc = clp_disable(fh, &fh, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && !(fh & CLP_FH_ENABLED),
           "clp-disable", "cc %d rsp 0x%x fh 0x%x", cc, rsp, fh);
    return 0;
}
