/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * ISM (SMC-D) function driven the way the Linux ism driver drives it.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Commands go to PCI address space 2: the body as one PCI Store Block at
 * offset 8 (8 bytes or more; none if the request is only a header), then
 * the 8-byte header as one PCI Store Block at offset 0.  The response is
 * read back with 8-byte PCI Loads.  A data move is one PCI Store Block of
 * up to 4 KiB to address space 0 at dmb_token | idx << 24 | sf << 23 |
 * offset; with the signal flag the device sets the DMB's bit and the
 * summary bit in the status block (SBA) and raises its single MSI.
 *
 * Parameters: fid (required), gid (expected GID, optional), pft
 * (expected PFT as presented to the guest, optional), isc, sba_idx
 * (>= 32), timeout_ms.
 */
#include "zpci.h"

#define ISM_CMD_AS          2
#define ISM_DATA_AS         0

#define ISM_REG_SBA         0x1
#define ISM_REG_IEQ         0x2
#define ISM_READ_GID        0x3
#define ISM_REG_DMB         0xa
#define ISM_UNREG_DMB       0xb
#define ISM_UNREG_SBA       0x11
#define ISM_UNREG_IEQ       0x12

#define ISM_SBA_DMB_BITS    4       /* byte offset of dmb_bits[] in the SBA */
#define ISM_DMB_LEN         16384

struct ism_hdr {
    uint32_t cmd;
    uint16_t ret;                   /* response only; 0 in requests */
    uint16_t len;
} PACKED;

/* one command block: header + up to 56 bytes of body */
union ism_cmd {
    struct ism_hdr hdr;
    uint64_t dw[8];
} ALIGNED(64);

static uint8_t sba[4096] ALIGNED(4096);
static uint8_t ieq[4096] ALIGNED(4096);
static uint8_t dmb[ISM_DMB_LEN] ALIGNED(4096);
static uint8_t move_buf[4096] ALIGNED(4096);
static uint8_t aibv[8] ALIGNED(8);
static uint8_t aisb[8] ALIGNED(8);
static struct zpci_dma_space dma;
static uint32_t fh;

static const struct {
    void *p;
    size_t len;
} dma_areas[] = {
    { sba, sizeof(sba) },
    { ieq, sizeof(ieq) },
    { dmb, sizeof(dmb) },
};

/*
 * Every PCI Store Block and PCI Load the payload issues to the function's
 * BARs, so that the host side can check that each became exactly one host
 * operation.
 */
static unsigned bar_stb, bar_lg;

static int ism_pcistb(const void *buf, uint8_t as, uint64_t off, uint16_t len,
                      uint8_t *st)
{
    bar_stb++;
    return pcistb(buf, fh, as, off, len, st);
}

static int ism_pcilg(uint64_t *data, uint8_t as, uint64_t off, uint8_t *st)
{
    bar_lg++;
    return pcilg(data, fh, as, off, 8, st);
}

/*
 * Issue one command of req_len bytes (header included) and read back a
 * response of up to rsp_len bytes into c.  Returns the response's ret
 * field, or -1 if an instruction failed (detail printed by the caller
 * through *why).
 */
static int ism_cmd(union ism_cmd *c, uint16_t req_len, uint16_t rsp_len,
                   const char **why)
{
    uint64_t hdr;
    uint16_t code;
    uint8_t st;
    int cc;

    c->hdr.len = req_len;
    *why = "ok";
    if (req_len > 8) {
        expect_pgm_int();
        cc = ism_pcistb(&c->dw[1], ISM_CMD_AS, 8, req_len - 8, &st);
        code = clear_pgm_int();
        if (code || cc) {
            *why = code ? pgm_int_name(code) : "body pcistb cc != 0";
            return -1;
        }
    }
    expect_pgm_int();
    cc = ism_pcistb(&c->dw[0], ISM_CMD_AS, 0, 8, &st);
    code = clear_pgm_int();
    if (code || cc) {
        *why = code ? pgm_int_name(code) : "header pcistb cc != 0";
        return -1;
    }
    memset(c, 0, sizeof(*c));
    for (unsigned i = 0; i * 8 < rsp_len && i < ARRAY_SIZE(c->dw); i++) {
        cc = ism_pcilg(&hdr, ISM_CMD_AS, 8 * i, &st);
        if (cc) {
            *why = "response pcilg cc != 0";
            return -1;
        }
        c->dw[i] = hdr;
        if (i == 0 && c->hdr.ret) {
            *why = "the device refused the command";
            break;
        }
    }
    return c->hdr.ret;
}

static bool cmd_check(const char *name, union ism_cmd *c, uint16_t req_len,
                      uint16_t rsp_len)
{
    const char *why;
    uint32_t cmd = c->hdr.cmd;
    int ret = ism_cmd(c, req_len, rsp_len, &why);

    return report(ret == 0 && c->hdr.cmd == cmd, name,
                  "ret %d (%s) cmd 0x%x", ret, why, c->hdr.cmd);
}

static bool setup(struct clp_query_pci *q, struct clp_query_pci_grp *g)
{
    struct clp_fh_entry fn;
    uint32_t fid = param_u64("fid", ~0u);
    uint16_t rsp;
    uint8_t st, msi;
    uint64_t iova;
    int cc;

    if (!report(fid != ~0u && clp_find(fid, 0, 0, &fn), "clp-list",
                "fid 0x%x not listed", fid)) {
        return false;
    }
    fh = fn.fh;
    /* the Linux ism driver binds by PCI id; QEMU may present pft 0 */
    report(fn.vendor_id == 0x1014 && fn.device_id == 0x04ed, "clp-list-ids",
           "%04x:%04x, want 1014:04ed", fn.vendor_id, fn.device_id);
    cc = clp_query_pci(fh, q, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && q->fid == fid, "clp-query",
           "cc %d rsp 0x%x fid 0x%x", cc, rsp, q->fid);
    report_info("pft %u presented to the guest", q->pft);
    if (param_u64("pft", 0xff) != 0xff) {
        report(q->pft == param_u64("pft", 0), "clp-query-pft", "pft %u",
               q->pft);
    }
    cc = clp_query_pci_grp(q->pfgid, g, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && g->msia, "clp-query-group",
           "cc %d rsp 0x%x msia 0x%lx", cc, rsp, g->msia);
    report_info("maxstbl %u msia 0x%lx sdma 0x%lx", g->maxstbl, g->msia,
                q->sdma);
    if (!zpci_setup_enable(fh, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
                           &fh)) {
        return false;
    }

    zpci_dma_init(&dma, q->sdma, 128ull << 20);
    cc = zpci_reg_ioat(fh, dma.pba, dma.pal, zpci_dma_iota(&dma), &st);
    report(cc == 0, "dma-reg-ioat", "cc %d status %u", cc, st);
    cc = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(dma_areas) && !cc; i++) {
        if (zpci_dma_map(&dma, dma_areas[i].p, dma_areas[i].len, &iova)) {
            report(false, "dma-map", "table pool exhausted");
            return false;
        }
        cc = rpcit(fh, iova, dma_areas[i].len, &st);
    }
    report(cc == 0, "dma-rpcit", "cc %d status %u", cc, st);

    msi = zpci_find_cap(fh, PCI_CAP_ID_MSI);
    report(msi && !zpci_find_cap(fh, PCI_CAP_ID_MSIX), "msi-only",
           "msi cap 0x%x", msi);
    cc = zpci_reg_airq(fh, param_u64("isc", 3), 1, aibv, 0, aisb, 0, &st);
    report(cc == 0, "airq-register", "cc %d status %u", cc, st);
    cc = msi ? zpci_msi_enable(fh, msi, g->msia, 0) : -1;
    report(cc == 0, "msi-enable", "cc %d", cc);
    return true;
}

int main(void)
{
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    struct io_int_record rec;
    union ism_cmd c;
    uint8_t isc = param_u64("isc", 3);
    unsigned sba_idx = param_u64("sba_idx", 32);
    uint64_t timeout = param_u64("timeout_ms", 5000) * 1000;
    uint64_t gid, tok, off;
    uint32_t before;
    uint16_t code, rsp;
    uint8_t st;
    int cc, bad;

    if (!setup(&q, &g)) {
        return 1;
    }

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_REG_SBA;
    c.dw[1] = dma.pba + (uintptr_t)sba;
    cmd_check("ism-reg-sba", &c, 16, 8);

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_REG_IEQ;
    c.dw[1] = dma.pba + (uintptr_t)ieq;
    c.dw[2] = sizeof(ieq);
    cmd_check("ism-reg-ieq", &c, 24, 8);

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_READ_GID;
    cmd_check("ism-read-gid", &c, 8, 16);
    gid = c.dw[1];
    report_info("gid 0x%lx", gid);
    if (param_u64("gid", 0)) {
        report(gid == param_u64("gid", 0), "ism-gid", "gid 0x%lx", gid);
    }

    /* DMB registered to ourselves (rgid = own gid): a loopback move */
    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_REG_DMB;
    c.dw[1] = dma.pba + (uintptr_t)dmb;
    c.dw[2] = (uint64_t)sizeof(dmb) << 32 | sba_idx;
    c.dw[3] = 0;                    /* vlan_valid, vlan_id */
    c.dw[4] = gid;
    cmd_check("ism-reg-dmb", &c, 40, 16);
    tok = c.dw[1];
    report_info("dmb token 0x%lx", tok);

    for (unsigned i = 0; i < sizeof(move_buf); i++) {
        move_buf[i] = (uint8_t)(i * 7 + (i >> 8) + 1);
    }
    airq_enable_isc(isc);
    before = io_int_count();
    off = tok | 0ull << 24 | 1ull << 23 | 0;
    expect_pgm_int();
    cc = ism_pcistb(move_buf, ISM_DATA_AS, off, sizeof(move_buf), &st);
    code = clear_pgm_int();
    report(!code && cc == 0, "ism-move-4k", "%s cc %d status %u",
           pgm_int_name(code), cc, st);
    bad = -1;
    for (unsigned i = 0; i < sizeof(move_buf); i++) {
        if (dmb[i] != move_buf[i]) {
            bad = i;
            break;
        }
    }
    report(bad < 0, "ism-dmb-data", "first difference at byte %d", bad);

    report(airq_wait(before, timeout, &rec), "ism-msi-interrupt",
           "no I/O interruption within %lu ms", timeout / 1000);
    airq_disable();
    report(io_int_is_adapter(rec.word, isc) && test_bit_inv(aisb, 0) &&
           test_bit_inv(aibv, 0), "ism-msi-vector",
           "word 0x%x summary 0x%x vector 0x%x", rec.word, aisb[0], aibv[0]);
    report(test_bit_inv(sba, 0), "ism-sba-summary", "sba word 0 0x%x",
           sba[0]);
    report(test_bit_inv(sba + ISM_SBA_DMB_BITS, sba_idx), "ism-sba-dmb-bit",
           "dmb bit %u clear", sba_idx);

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_UNREG_DMB;
    c.dw[1] = tok;
    cmd_check("ism-unreg-dmb", &c, 16, 8);
    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_UNREG_IEQ;
    cmd_check("ism-unreg-ieq", &c, 8, 8);
    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_UNREG_SBA;
    cmd_check("ism-unreg-sba", &c, 8, 8);

    cc = zpci_dereg_airq(fh, &st);
    cc = cc ? cc : clp_disable(fh, &fh, &rsp);
    report(cc == 0, "clp-disable", "cc %d", cc);
    report_info("bar-instructions pcistb=%u pcilg=%u", bar_stb, bar_lg);
    return 0;
}
