/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Library self-test against any zPCI function (e.g. an emulated one).
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Parameters: fid (default: first listed function), uid, vendor, device.
 * Exercises CLP list/query/enable/disable, config-space PCILG, the
 * PCILG invalid-address-space status and the strict PCISTB rules.
 */
#include "zpci.h"

static uint64_t stb_buf[16] ALIGNED(4096);

int main(void)
{
    struct clp_fh_entry fn;
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    static struct clp_fh_entry list[16];
    uint32_t fid = param_u64("fid", ~0u);
    uint32_t fh, val;
    uint64_t data;
    uint16_t rsp, code;
    uint8_t st;
    int cc, n;

    cc = clp_list_pci(list, ARRAY_SIZE(list), &n, &rsp);
    if (!report(cc == 0 && rsp == CLP_RC_OK && n > 0, "clp-list",
                "cc %d rsp 0x%x n %d", cc, rsp, n)) {
        return 1;
    }
    for (int i = 0; i < n; i++) {
        report_info("fn fid 0x%x fh 0x%x %04x:%04x config 0x%x",
                    list[i].fid, list[i].fh, list[i].vendor_id,
                    list[i].device_id, list[i].config);
    }
    fn = list[0];
    if (fid != ~0u && !clp_find(fid, 0, 0, &fn)) {
        report(false, "clp-find", "fid 0x%x not listed", fid);
        return 1;
    }
    fh = fn.fh;
    report(!(fh & CLP_FH_ENABLED) && (fn.config & CLP_CONFIG_CONFIGURED),
           "clp-list-state", "fh 0x%x config 0x%x", fh, fn.config);
    if (param_u64("vendor", 0)) {
        report(fn.vendor_id == param_u64("vendor", 0) &&
               fn.device_id == param_u64("device", 0), "clp-list-ids",
               "%04x:%04x", fn.vendor_id, fn.device_id);
    }

    cc = clp_query_pci(fh, &q, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && q.fid == fn.fid, "clp-query",
           "cc %d rsp 0x%x fid 0x%x", cc, rsp, q.fid);
    report_info("pft %u pfgid %u uid 0x%x sdma 0x%lx edma 0x%lx",
                q.pft, q.pfgid, q.uid, q.sdma, q.edma);
    if (param_u64("uid", 0)) {
        report(q.uid == param_u64("uid", 0), "clp-query-uid", "uid 0x%x",
               q.uid);
    }
    cc = clp_query_pci_grp(q.pfgid, &g, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && g.msia != 0, "clp-query-group",
           "cc %d rsp 0x%x msia 0x%lx", cc, rsp, g.msia);
    report_info("msia 0x%lx maxstbl %u noi %u flags 0x%x", g.msia,
                g.maxstbl, g.noi & 0xfff, g.flags);

    /* PCILG on a disabled handle: cc 3 */
    cc = pcilg(&data, fh, ZPCI_CFG_AS, 0, 2, NULL);
    report(cc == 3, "pcilg-disabled-handle", "cc %d", cc);

    cc = clp_enable(fh, &fh, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && (fh & CLP_FH_ENABLED),
           "clp-enable", "cc %d rsp 0x%x fh 0x%x", cc, rsp, fh);

    cc = zpci_cfg_read(fh, PCI_VENDOR_ID, 2, &val);
    report(cc == 0 && val == fn.vendor_id, "cfg-vendor-id",
           "cc %d value 0x%x, listed 0x%x", cc, val, fn.vendor_id);
    cc = zpci_cfg_read(fh, PCI_VENDOR_ID, 4, &val);
    report(cc == 0 && val == ((uint32_t)fn.device_id << 16 | fn.vendor_id),
           "cfg-id-dword", "cc %d value 0x%x", cc, val);

    cc = pcilg(&data, fh, 6, 0, 8, &st);
    report(cc == 1 && st == ZPCI_ST_INVAL_AS, "pcilg-invalid-as",
           "cc %d status %u", cc, st);

    expect_pgm_int();
    cc = pcilg(&data, fh, ZPCI_CFG_AS, 1, 4, &st);
    code = clear_pgm_int();
    report(code == PGM_OPERAND, "pcilg-cfg-crossing-operand",
           "got %s (0x%x), cc %d", pgm_int_name(code), code, cc);

    /*
     * strict PCISTB rules: an 8-byte block is a specification exception;
     * a function whose group relaxes them stores it
     */
    expect_pgm_int();
    cc = pcistb(stb_buf, fh, 0, 0, 8, &st);
    code = clear_pgm_int();
    if (g.flags & CLP_QPCIG_RELAXED) {
        report(code == 0 && cc == 0, "pcistb-8-byte-relaxed",
               "got %s (0x%x), cc %d", pgm_int_name(code), code, cc);
    } else {
        report(code == PGM_SPECIFICATION, "pcistb-8-byte-spec",
               "got %s (0x%x), cc %d", pgm_int_name(code), code, cc);
    }
    expect_pgm_int();
    cc = pcistb((char *)stb_buf + 4, fh, 0, 0, 16, &st);
    code = clear_pgm_int();
    report(code == PGM_SPECIFICATION, "pcistb-unaligned-buffer-spec",
           "got %s (0x%x), cc %d", pgm_int_name(code), code, cc);

    cc = clp_disable(fh, &fh, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && !(fh & CLP_FH_ENABLED),
           "clp-disable", "cc %d rsp 0x%x fh 0x%x", cc, rsp, fh);
    cc = pcilg(&data, fh, ZPCI_CFG_AS, 0, 2, NULL);
    report(cc == 3, "pcilg-after-disable", "cc %d", cc);
    return 0;
}
