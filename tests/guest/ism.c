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
 * offset, from any byte of the sender's memory (the driver moves from
 * wherever its data sits); with the signal flag the device sets the
 * DMB's bit, the DMB element bit of idx and the summary bit in the status
 * block (SBA) and raises its single MSI.
 *
 * Parameters: fid (required), gid (expected GID, optional), pft
 * (expected PFT as presented to the guest, optional), maxstbl (expected
 * group maxstbl, optional), relaxed (expected group relaxed bit, 0 or 1,
 * optional), isc, sba_idx (>= 32), timeout_ms, and the moves:
 *
 *   moves        number of moves (default: one 4 KiB move with the
 *                signal flag at DMB offset 0)
 *   mvN_off      offset in the DMB
 *   mvN_len      length (1 .. 4096)
 *   mvN_mis      the data starts mvN_mis bytes into a page
 *   mvN_idx      DMB element index (0 .. 255)
 *   mvN_sf       1: with the signal flag
 *
 * The data of move N is pattern ZT_ISM_SEED + N (pattern.h).  Every PCI
 * Store Block and PCI Load the payload issues to a BAR is listed on the
 * console, in order, so that the host side can match each one with
 * exactly one host operation and the digest of its bytes:
 *
 *   # io stb as=A off=0xO len=L data=HEX       (a command block)
 *   # io stb as=A off=0xO len=L pat=S mis=M    (a data move)
 *   # io lg as=A off=0xO len=8
 */
#include "zpci.h"
#include "pattern.h"

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
#define ISM_SBA_DMBE_MASK   256     /* byte offset of u16 dmbe_mask[] */
#define ISM_DMB_LEN         16384
#define ISM_DMB_FILL        0xee    /* what the DMB holds before any move */
#define ISM_MAX_MOVES       16
#define ZT_ISM_SEED         0x80
#define MOVE_AREA           (3 * 4096)

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

struct move {
    uint64_t off;
    unsigned len, mis, idx;
    bool sf;
};

static uint8_t sba[4096] ALIGNED(4096);
static uint8_t ieq[4096] ALIGNED(4096);
static uint8_t dmb[ISM_DMB_LEN] ALIGNED(4096);
static uint8_t dmb_want[ISM_DMB_LEN];
static uint8_t move_buf[MOVE_AREA] ALIGNED(4096);
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
 * BARs, counted and listed, so that the host side can check that each
 * became exactly one host operation.
 */
static unsigned bar_stb, bar_lg;

/* PCISTB with program interruptions caught: returns the cc, *pgm the code */
static int ism_pcistb(const void *buf, uint8_t as, uint64_t off, uint16_t len,
                      const char *what, uint8_t *st, uint16_t *pgm)
{
    int cc;

    bar_stb++;
    *st = 0;
    expect_pgm_int();
    cc = pcistb(buf, fh, as, off, len, st);
    *pgm = clear_pgm_int();
    report_info("io stb as=%u off=0x%lx len=%u cc=%d pgm=0x%x %s", as, off,
                len, cc, *pgm, what);
    return cc;
}

static int ism_pcilg(uint64_t *data, uint8_t as, uint64_t off, uint8_t *st)
{
    uint16_t pgm;
    int cc;

    bar_lg++;
    *st = 0;
    expect_pgm_int();
    cc = pcilg(data, fh, as, off, 8, st);
    pgm = clear_pgm_int();
    report_info("io lg as=%u off=0x%lx len=8 cc=%d pgm=0x%x", as, off, cc,
                pgm);
    return pgm ? -1 : cc;
}

static const char *hex(const void *p, unsigned len)
{
    static char out[2 * 64 + 8];
    const uint8_t *b = p;

    out[0] = 0;
    for (unsigned i = 0; i < len && i < 64; i++) {
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    }
    return out;
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
    char what[2 * 64 + 8];
    uint64_t hdr;
    uint16_t code;
    uint8_t st;
    int cc;

    c->hdr.len = req_len;
    *why = "ok";
    if (req_len > 8) {
        snprintf(what, sizeof(what), "data=%s", hex(&c->dw[1], req_len - 8));
        cc = ism_pcistb(&c->dw[1], ISM_CMD_AS, 8, req_len - 8, what, &st,
                        &code);
        if (code || cc) {
            *why = code ? pgm_int_name(code) : "body pcistb cc != 0";
            return -1;
        }
    }
    snprintf(what, sizeof(what), "data=%s", hex(&c->dw[0], 8));
    cc = ism_pcistb(&c->dw[0], ISM_CMD_AS, 0, 8, what, &st, &code);
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
    report_info("group pfgid=%u maxstbl=%u flags=0x%02x msia=0x%lx "
                "sdma=0x%lx", q->pfgid, g->maxstbl, g->flags, g->msia,
                q->sdma);
    /* the ism driver writes blocks of up to 4 KiB: the group must say so */
    if (param_u64("maxstbl", 0)) {
        report(g->maxstbl == param_u64("maxstbl", 0),
               "clp-query-group-maxstbl", "maxstbl %u, want %lu",
               g->maxstbl, param_u64("maxstbl", 0));
    }
    if (param_u64("relaxed", 0xff) != 0xff) {
        report(!!(g->flags & CLP_QPCIG_RELAXED) == param_u64("relaxed", 0),
               "clp-query-group-relaxed", "flags 0x%02x, relaxed bit "
               "want %lu", g->flags, param_u64("relaxed", 0));
    }
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

/* The moves from the parameters; false (reported) if they are unusable */
static bool read_moves(struct move *mv, unsigned *n)
{
    char key[16];

    *n = param_u64("moves", 0);
    if (!*n) {
        /* by hand: one 4 KiB move with the signal flag */
        mv[0] = (struct move){ .off = 0, .len = 4096, .sf = true };
        *n = 1;
        return true;
    }
    if (*n > ISM_MAX_MOVES) {
        report(false, "ism-moves-args", "%u moves, at most %u", *n,
               ISM_MAX_MOVES);
        return false;
    }
    for (unsigned i = 0; i < *n; i++) {
#define MV(field, def) \
        (snprintf(key, sizeof(key), "mv%u_" #field, i), param_u64(key, def))
        mv[i].off = MV(off, 0);
        mv[i].len = MV(len, 4096);
        mv[i].mis = MV(mis, 0);
        mv[i].idx = MV(idx, 0);
        mv[i].sf = MV(sf, 0);
#undef MV
        if (mv[i].len < 1 || mv[i].len > 4096 ||
            mv[i].off + mv[i].len > ISM_DMB_LEN ||
            mv[i].mis + mv[i].len > MOVE_AREA || mv[i].idx > 255) {
            report(false, "ism-moves-args", "move %u: off 0x%lx len %u mis "
                   "%u idx %u", i, mv[i].off, mv[i].len, mv[i].mis,
                   mv[i].idx);
            return false;
        }
    }
    return report(true, "ism-moves-args", "%u moves", *n);
}

static uint16_t dmbe_mask(unsigned sba_idx)
{
    const volatile uint8_t *p = sba + ISM_SBA_DMBE_MASK + 2 * sba_idx;

    return p[0] << 8 | p[1];
}

/* No interruption, no SBA bit since the count 'since' */
static void check_quiet(const char *name, uint32_t since, unsigned sba_idx)
{
    struct io_int_record rec;
    bool got = airq_wait(since, 50000, &rec);

    report(!got && !test_bit_inv(sba, 0) &&
           !test_bit_inv(sba + ISM_SBA_DMB_BITS, sba_idx) &&
           !dmbe_mask(sba_idx), name, "interruption %d (word 0x%x), sba "
           "byte 0 0x%x, dmb bit %d, dmbe mask 0x%04x", got, rec.word,
           sba[0], test_bit_inv(sba + ISM_SBA_DMB_BITS, sba_idx),
           dmbe_mask(sba_idx));
}

/* What a signalled move must leave behind; then re-arm for the next one */
static uint32_t check_signal(unsigned n, const struct move *m, uint8_t isc,
                             unsigned sba_idx, uint32_t before,
                             uint64_t timeout)
{
    struct io_int_record rec;
    volatile uint8_t *mask = sba + ISM_SBA_DMBE_MASK + 2 * sba_idx;
    char name[40];
    bool got;

    got = airq_wait(before, timeout, &rec);
    snprintf(name, sizeof(name), "ism-move%u-msi-interrupt", n);
    report(got, name, "no I/O interruption within %lu ms", timeout / 1000);
    snprintf(name, sizeof(name), "ism-move%u-msi-vector", n);
    report(got && io_int_is_adapter(rec.word, isc) && test_bit_inv(aisb, 0) &&
           test_bit_inv(aibv, 0), name,
           "word 0x%x summary 0x%x vector 0x%x", rec.word, aisb[0], aibv[0]);
    snprintf(name, sizeof(name), "ism-move%u-sba-summary", n);
    report(test_bit_inv(sba, 0), name, "sba byte 0 0x%x", sba[0]);
    snprintf(name, sizeof(name), "ism-move%u-sba-dmb-bit", n);
    report(test_bit_inv(sba + ISM_SBA_DMB_BITS, sba_idx), name,
           "dmb bit %u clear", sba_idx);
    if (m->idx < 16) {
        snprintf(name, sizeof(name), "ism-move%u-dmbe-mask", n);
        report(dmbe_mask(sba_idx) == (0x8000 >> m->idx), name,
               "dmbe mask 0x%04x, want 0x%04x (idx %u)", dmbe_mask(sba_idx),
               0x8000 >> m->idx, m->idx);
    }
    /* re-arm, as the driver's interrupt handler does */
    clear_bit_inv(sba, 0);
    clear_bit_inv(sba + ISM_SBA_DMB_BITS, sba_idx);
    mask[0] = mask[1] = 0;
    aibv[0] = aisb[0] = 0;
    barrier();
    return io_int_count();
}

static void moves(uint64_t tok, uint8_t isc, unsigned sba_idx,
                  uint64_t timeout)
{
    struct move mv[ISM_MAX_MOVES];
    char name[40], what[32];
    unsigned n;
    uint32_t quiet;
    uint16_t code;
    uint8_t st;
    int cc, bad;

    if (!read_moves(mv, &n)) {
        return;
    }
    memset(dmb, ISM_DMB_FILL, sizeof(dmb));
    memset(dmb_want, ISM_DMB_FILL, sizeof(dmb_want));
    airq_enable_isc(isc);
    quiet = io_int_count();
    for (unsigned i = 0; i < n; i++) {
        const struct move *m = &mv[i];
        uint8_t *data = move_buf + m->mis;
        uint64_t off = tok | (uint64_t)m->idx << 24 | (uint64_t)m->sf << 23 |
                       m->off;

        if (m->sf) {
            /* the moves so far had no signal flag: nothing may show */
            snprintf(name, sizeof(name), "ism-move%u-quiet-before", i);
            check_quiet(name, quiet, sba_idx);
        }
        zt_pattern_fill(data, ZT_ISM_SEED + i, m->len);
        for (unsigned j = 0; j < m->len; j++) {
            dmb_want[m->off + j] = data[j];
        }
        snprintf(what, sizeof(what), "pat=%u mis=%u", ZT_ISM_SEED + i,
                 m->mis);
        cc = ism_pcistb(data, ISM_DATA_AS, off, m->len, what, &st, &code);
        snprintf(name, sizeof(name), "ism-move%u", i);
        report(!code && cc == 0, name, "%s cc %d status %u",
               pgm_int_name(code), cc, st);
        if (m->sf) {
            quiet = check_signal(i, m, isc, sba_idx, quiet, timeout);
        }
    }
    if (!mv[n - 1].sf) {
        check_quiet("ism-quiet-after-moves", quiet, sba_idx);
    }
    airq_disable();

    bad = -1;
    for (unsigned i = 0; i < sizeof(dmb); i++) {
        if (dmb[i] != dmb_want[i]) {
            bad = i;
            break;
        }
    }
    report(bad < 0, "ism-dmb-data", "first difference at DMB offset 0x%x: "
           "0x%02x, want 0x%02x", bad, bad < 0 ? 0 : dmb[bad],
           bad < 0 ? 0 : dmb_want[bad]);
}

int main(void)
{
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    union ism_cmd c;
    uint8_t isc = param_u64("isc", 3);
    unsigned sba_idx = param_u64("sba_idx", 32);
    uint64_t timeout = param_u64("timeout_ms", 5000) * 1000;
    uint64_t gid, tok;
    uint16_t rsp;
    uint8_t st;
    int cc;

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

    moves(tok, isc, sba_idx, timeout);

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
