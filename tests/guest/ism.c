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
 *
 * With fid2, a second ISM function (B) joins after the moves above, as a
 * peer of the first (A) the way two SMC-D endpoints are: each registers
 * an SBA, an IEQ and a DMB whose remote GID is the other's, and both
 * register their adapter interruption with summary bits in the same byte
 * (A bit 0, B bit 1), as Linux's ism driver does for its functions.  Then:
 *
 *   ism-x-move-a-to-b   A moves xlen (default 4096) bytes of pattern
 *                       ZT_ISM_X_SEED into B's DMB with the signal flag:
 *                       B's interruption, its SBA bits, its DMB data;
 *   ism-x-move-b-to-a   B moves back into A's DMB (pattern
 *                       ZT_ISM_X_SEED + 1): A's interruption, and A's
 *                       summary bit is left set, as when the guest has
 *                       taken the interruption but not yet scanned the
 *                       summary bits;
 *   ism-x-shared-summary  A moves into B's DMB again (ZT_ISM_X_SEED + 2):
 *                       B's summary bit was clear, so B's interruption
 *                       must be made pending although A's bit in the same
 *                       byte is still set.
 *
 * B's BAR instructions are listed with " fn=1" at the end of the line.
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

#define ISM_FNS             2
#define ZT_ISM_X_SEED       0xc0

/* One ISM function as the payload drives it */
struct ism_fn {
    unsigned n;                     /* 0: A (fid), 1: B (fid2) */
    uint32_t fh;
    uint8_t *sba, *ieq, *dmb;
    uint8_t *aibv;
    unsigned sum_bit;               /* its summary bit in aisb */
    uint64_t gid, tok;
};

static uint8_t sba[ISM_FNS][4096] ALIGNED(4096);
static uint8_t ieq[ISM_FNS][4096] ALIGNED(4096);
static uint8_t dmb[ISM_FNS][ISM_DMB_LEN] ALIGNED(4096);
static uint8_t dmb_want[ISM_DMB_LEN];
static uint8_t move_buf[MOVE_AREA] ALIGNED(4096);
static uint8_t aibv[ISM_FNS][8] ALIGNED(8);
static uint8_t aisb[8] ALIGNED(8);  /* shared: one summary byte */
/* both functions use one DMA address space (iova = pba + real address) */
static struct zpci_dma_space dma;
static bool dma_ready;
static struct ism_fn fns[ISM_FNS];

/*
 * Every PCI Store Block and PCI Load the payload issues to the function's
 * BARs, counted and listed, so that the host side can check that each
 * became exactly one host operation.
 */
static unsigned bar_stb, bar_lg;

/* PCISTB with program interruptions caught: returns the cc, *pgm the code */
static int ism_pcistb(struct ism_fn *f, const void *buf, uint8_t as,
                      uint64_t off, uint16_t len, const char *what,
                      uint8_t *st, uint16_t *pgm)
{
    int cc;

    bar_stb++;
    *st = 0;
    expect_pgm_int();
    cc = pcistb(buf, f->fh, as, off, len, st);
    *pgm = clear_pgm_int();
    report_info("io stb as=%u off=0x%lx len=%u cc=%d pgm=0x%x %s%s", as, off,
                len, cc, *pgm, what, f->n ? " fn=1" : "");
    return cc;
}

static int ism_pcilg(struct ism_fn *f, uint64_t *data, uint8_t as,
                     uint64_t off, uint8_t *st)
{
    uint16_t pgm;
    int cc;

    bar_lg++;
    *st = 0;
    expect_pgm_int();
    cc = pcilg(data, f->fh, as, off, 8, st);
    pgm = clear_pgm_int();
    report_info("io lg as=%u off=0x%lx len=8 cc=%d pgm=0x%x%s", as, off, cc,
                pgm, f->n ? " fn=1" : "");
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
static int ism_cmd(struct ism_fn *f, union ism_cmd *c, uint16_t req_len,
                   uint16_t rsp_len, const char **why)
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
        cc = ism_pcistb(f, &c->dw[1], ISM_CMD_AS, 8, req_len - 8, what, &st,
                        &code);
        if (code || cc) {
            *why = code ? pgm_int_name(code) : "body pcistb cc != 0";
            return -1;
        }
    }
    snprintf(what, sizeof(what), "data=%s", hex(&c->dw[0], 8));
    cc = ism_pcistb(f, &c->dw[0], ISM_CMD_AS, 0, 8, what, &st, &code);
    if (code || cc) {
        *why = code ? pgm_int_name(code) : "header pcistb cc != 0";
        return -1;
    }
    memset(c, 0, sizeof(*c));
    for (unsigned i = 0; i * 8 < rsp_len && i < ARRAY_SIZE(c->dw); i++) {
        cc = ism_pcilg(f, &hdr, ISM_CMD_AS, 8 * i, &st);
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

static bool cmd_check(struct ism_fn *f, const char *name, union ism_cmd *c,
                      uint16_t req_len, uint16_t rsp_len)
{
    char full[48];
    const char *why;
    uint32_t cmd = c->hdr.cmd;
    int ret = ism_cmd(f, c, req_len, rsp_len, &why);

    /* B's checks carry its letter: ism-b-reg-sba ... */
    if (f->n) {
        snprintf(full, sizeof(full), "ism-b-%s", name + 4);
        name = full;
    }

    return report(ret == 0 && c->hdr.cmd == cmd, name,
                  "ret %d (%s) cmd 0x%x", ret, why, c->hdr.cmd);
}

/* The name of a check of function f: B's carry "b-" in front */
static const char *fname(struct ism_fn *f, const char *name)
{
    static char buf[48];

    if (!f->n) {
        return name;
    }
    snprintf(buf, sizeof(buf), "b-%s", name);
    return buf;
}

static bool setup(struct ism_fn *f, uint32_t fid, struct clp_query_pci *q,
                  struct clp_query_pci_grp *g)
{
    struct clp_fh_entry fn;
    uint16_t rsp;
    uint8_t st, msi;
    uint64_t iova;
    int cc;

    f->sba = sba[f->n];
    f->ieq = ieq[f->n];
    f->dmb = dmb[f->n];
    f->aibv = aibv[f->n];
    f->sum_bit = f->n;
    if (!report(fid != ~0u && clp_find(fid, 0, 0, &fn), fname(f, "clp-list"),
                "fid 0x%x not listed", fid)) {
        return false;
    }
    f->fh = fn.fh;
    /* the Linux ism driver binds by PCI id; QEMU may present pft 0 */
    report(fn.vendor_id == 0x1014 && fn.device_id == 0x04ed,
           fname(f, "clp-list-ids"), "%04x:%04x, want 1014:04ed",
           fn.vendor_id, fn.device_id);
    cc = clp_query_pci(f->fh, q, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && q->fid == fid,
           fname(f, "clp-query"), "cc %d rsp 0x%x fid 0x%x", cc, rsp,
           q->fid);
    report_info("pft %u presented to the guest", q->pft);
    if (!f->n && param_u64("pft", 0xff) != 0xff) {
        report(q->pft == param_u64("pft", 0), "clp-query-pft", "pft %u",
               q->pft);
    }
    cc = clp_query_pci_grp(q->pfgid, g, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK && g->msia, fname(f, "clp-query-group"),
           "cc %d rsp 0x%x msia 0x%lx", cc, rsp, g->msia);
    report_info("group pfgid=%u maxstbl=%u flags=0x%02x msia=0x%lx "
                "sdma=0x%lx", q->pfgid, g->maxstbl, g->flags, g->msia,
                q->sdma);
    /* the ism driver writes blocks of up to 4 KiB: the group must say so */
    if (!f->n && param_u64("maxstbl", 0)) {
        report(g->maxstbl == param_u64("maxstbl", 0),
               "clp-query-group-maxstbl", "maxstbl %u, want %lu",
               g->maxstbl, param_u64("maxstbl", 0));
    }
    if (!f->n && param_u64("relaxed", 0xff) != 0xff) {
        report(!!(g->flags & CLP_QPCIG_RELAXED) == param_u64("relaxed", 0),
               "clp-query-group-relaxed", "flags 0x%02x, relaxed bit "
               "want %lu", g->flags, param_u64("relaxed", 0));
    }
    if (!zpci_setup_enable(f->fh, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
                           &f->fh)) {
        return false;
    }

    if (!dma_ready) {
        zpci_dma_init(&dma, q->sdma, 128ull << 20);
        dma_ready = true;
    } else if (!report(q->sdma <= dma.pba, fname(f, "dma-space"),
                       "sdma 0x%lx above the first function's 0x%lx",
                       q->sdma, dma.pba)) {
        return false;
    }
    cc = zpci_reg_ioat(f->fh, dma.pba, dma.pal, zpci_dma_iota(&dma), &st);
    report(cc == 0, fname(f, "dma-reg-ioat"), "cc %d status %u", cc, st);
    {
        const struct {
            void *p;
            size_t len;
        } areas[] = {
            { f->sba, sizeof(sba[0]) },
            { f->ieq, sizeof(ieq[0]) },
            { f->dmb, sizeof(dmb[0]) },
        };

        cc = 0;
        for (unsigned i = 0; i < ARRAY_SIZE(areas) && !cc; i++) {
            if (zpci_dma_map(&dma, areas[i].p, areas[i].len, &iova)) {
                report(false, fname(f, "dma-map"), "table pool exhausted");
                return false;
            }
            cc = rpcit(f->fh, iova, areas[i].len, &st);
        }
    }
    report(cc == 0, fname(f, "dma-rpcit"), "cc %d status %u", cc, st);

    msi = zpci_find_cap(f->fh, PCI_CAP_ID_MSI);
    report(msi && !zpci_find_cap(f->fh, PCI_CAP_ID_MSIX),
           fname(f, "msi-only"), "msi cap 0x%x", msi);
    cc = zpci_reg_airq(f->fh, param_u64("isc", 3), 1, f->aibv, 0, aisb,
                       f->sum_bit, &st);
    report(cc == 0, fname(f, "airq-register"), "cc %d status %u", cc, st);
    cc = msi ? zpci_msi_enable(f->fh, msi, g->msia, 0) : -1;
    report(cc == 0, fname(f, "msi-enable"), "cc %d", cc);
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

static uint16_t dmbe_mask(struct ism_fn *f, unsigned sba_idx)
{
    const volatile uint8_t *p = f->sba + ISM_SBA_DMBE_MASK + 2 * sba_idx;

    return p[0] << 8 | p[1];
}

/* No interruption, no SBA bit of f since the count 'since' */
static void check_quiet(struct ism_fn *f, const char *name, uint32_t since,
                        unsigned sba_idx)
{
    struct io_int_record rec;
    bool got = airq_wait(since, 50000, &rec);

    report(!got && !test_bit_inv(f->sba, 0) &&
           !test_bit_inv(f->sba + ISM_SBA_DMB_BITS, sba_idx) &&
           !dmbe_mask(f, sba_idx), name, "interruption %d (word 0x%x), sba "
           "byte 0 0x%x, dmb bit %d, dmbe mask 0x%04x", got, rec.word,
           f->sba[0], test_bit_inv(f->sba + ISM_SBA_DMB_BITS, sba_idx),
           dmbe_mask(f, sba_idx));
}

/*
 * What a signalled move into f's DMB must leave behind (checks named
 * PREFIX-...); then re-arm for the next one, leaving f's summary bit set
 * if keep_summary (as before the guest scans the summary bits).
 */
static uint32_t check_signal(struct ism_fn *f, const char *prefix,
                             unsigned idx, uint8_t isc, unsigned sba_idx,
                             uint32_t before, uint64_t timeout,
                             bool keep_summary)
{
    struct io_int_record rec;
    volatile uint8_t *mask = f->sba + ISM_SBA_DMBE_MASK + 2 * sba_idx;
    char name[48];
    bool got;

    got = airq_wait(before, timeout, &rec);
    snprintf(name, sizeof(name), "%s-msi-interrupt", prefix);
    report(got, name, "no I/O interruption within %lu ms", timeout / 1000);
    snprintf(name, sizeof(name), "%s-msi-vector", prefix);
    report(got && io_int_is_adapter(rec.word, isc) &&
           test_bit_inv(aisb, f->sum_bit) && test_bit_inv(f->aibv, 0), name,
           "word 0x%x summary 0x%x vector 0x%x", rec.word, aisb[0],
           f->aibv[0]);
    snprintf(name, sizeof(name), "%s-sba-summary", prefix);
    report(test_bit_inv(f->sba, 0), name, "sba byte 0 0x%x", f->sba[0]);
    snprintf(name, sizeof(name), "%s-sba-dmb-bit", prefix);
    report(test_bit_inv(f->sba + ISM_SBA_DMB_BITS, sba_idx), name,
           "dmb bit %u clear", sba_idx);
    if (idx < 16) {
        snprintf(name, sizeof(name), "%s-dmbe-mask", prefix);
        report(dmbe_mask(f, sba_idx) == (0x8000 >> idx), name,
               "dmbe mask 0x%04x, want 0x%04x (idx %u)", dmbe_mask(f, sba_idx),
               0x8000 >> idx, idx);
    }
    /* re-arm, as the driver's interrupt handler does */
    clear_bit_inv(f->sba, 0);
    clear_bit_inv(f->sba + ISM_SBA_DMB_BITS, sba_idx);
    mask[0] = mask[1] = 0;
    f->aibv[0] = 0;
    if (!keep_summary) {
        clear_bit_inv(aisb, f->sum_bit);
    }
    barrier();
    return io_int_count();
}

static void moves(struct ism_fn *f, uint8_t isc, unsigned sba_idx,
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
    memset(f->dmb, ISM_DMB_FILL, sizeof(dmb[0]));
    memset(dmb_want, ISM_DMB_FILL, sizeof(dmb_want));
    airq_enable_isc(isc);
    quiet = io_int_count();
    for (unsigned i = 0; i < n; i++) {
        const struct move *m = &mv[i];
        uint8_t *data = move_buf + m->mis;
        uint64_t off = f->tok | (uint64_t)m->idx << 24 |
                       (uint64_t)m->sf << 23 | m->off;

        if (m->sf) {
            /* the moves so far had no signal flag: nothing may show */
            snprintf(name, sizeof(name), "ism-move%u-quiet-before", i);
            check_quiet(f, name, quiet, sba_idx);
        }
        zt_pattern_fill(data, ZT_ISM_SEED + i, m->len);
        for (unsigned j = 0; j < m->len; j++) {
            dmb_want[m->off + j] = data[j];
        }
        snprintf(what, sizeof(what), "pat=%u mis=%u", ZT_ISM_SEED + i,
                 m->mis);
        cc = ism_pcistb(f, data, ISM_DATA_AS, off, m->len, what, &st, &code);
        snprintf(name, sizeof(name), "ism-move%u", i);
        report(!code && cc == 0, name, "%s cc %d status %u",
               pgm_int_name(code), cc, st);
        if (m->sf) {
            quiet = check_signal(f, name, m->idx, isc, sba_idx, quiet,
                                 timeout, false);
        }
    }
    if (!mv[n - 1].sf) {
        check_quiet(f, "ism-quiet-after-moves", quiet, sba_idx);
    }
    airq_disable();

    bad = -1;
    for (unsigned i = 0; i < sizeof(dmb[0]); i++) {
        if (f->dmb[i] != dmb_want[i]) {
            bad = i;
            break;
        }
    }
    report(bad < 0, "ism-dmb-data", "first difference at DMB offset 0x%x: "
           "0x%02x, want 0x%02x", bad, bad < 0 ? 0 : f->dmb[bad],
           bad < 0 ? 0 : dmb_want[bad]);
}

/* SBA, IEQ and GID of f (B's checks named ism-b-...) */
static void ism_start(struct ism_fn *f)
{
    union ism_cmd c;

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_REG_SBA;
    c.dw[1] = dma.pba + (uintptr_t)f->sba;
    cmd_check(f, "ism-reg-sba", &c, 16, 8);

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_REG_IEQ;
    c.dw[1] = dma.pba + (uintptr_t)f->ieq;
    c.dw[2] = sizeof(ieq[0]);
    cmd_check(f, "ism-reg-ieq", &c, 24, 8);

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_READ_GID;
    cmd_check(f, "ism-read-gid", &c, 8, 16);
    f->gid = c.dw[1];
    report_info("gid 0x%lx%s", f->gid, f->n ? " fn=1" : "");
}

/* f's DMB, writable by rgid; its token in f->tok */
static void ism_reg_dmb(struct ism_fn *f, const char *name, unsigned sba_idx,
                        uint64_t rgid)
{
    union ism_cmd c;

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_REG_DMB;
    c.dw[1] = dma.pba + (uintptr_t)f->dmb;
    c.dw[2] = (uint64_t)sizeof(dmb[0]) << 32 | sba_idx;
    c.dw[3] = 0;                    /* vlan_valid, vlan_id */
    c.dw[4] = rgid;
    cmd_check(f, name, &c, 40, 16);
    f->tok = c.dw[1];
    report_info("dmb token 0x%lx%s", f->tok, f->n ? " fn=1" : "");
}

static void ism_unreg_dmb(struct ism_fn *f, const char *name)
{
    union ism_cmd c;

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_UNREG_DMB;
    c.dw[1] = f->tok;
    cmd_check(f, name, &c, 16, 8);
}

static void ism_stop(struct ism_fn *f)
{
    union ism_cmd c;
    uint16_t rsp;
    uint8_t st;
    int cc;

    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_UNREG_IEQ;
    cmd_check(f, "ism-unreg-ieq", &c, 8, 8);
    memset(&c, 0, sizeof(c));
    c.hdr.cmd = ISM_UNREG_SBA;
    cmd_check(f, "ism-unreg-sba", &c, 8, 8);

    cc = zpci_dereg_airq(f->fh, &st);
    cc = cc ? cc : clp_disable(f->fh, &f->fh, &rsp);
    report(cc == 0, fname(f, "clp-disable"), "cc %d", cc);
}

/* One move of len bytes of pattern pat from 'from' into to's DMB at off */
static void x_move(struct ism_fn *from, struct ism_fn *to, const char *name,
                   unsigned pat, uint64_t off, unsigned len)
{
    char what[32];
    uint16_t code;
    uint8_t st;
    int cc;

    zt_pattern_fill(move_buf, pat, len);
    snprintf(what, sizeof(what), "pat=%u mis=0", pat);
    cc = ism_pcistb(from, move_buf, ISM_DATA_AS, to->tok | 1ull << 23 | off,
                    len, what, &st, &code);
    report(!code && cc == 0, name, "%s cc %d status %u", pgm_int_name(code),
           cc, st);
}

/* Did the move of pattern pat land in f's DMB at off, and nothing else? */
static void x_data(struct ism_fn *f, const char *name, const uint8_t *want,
                   uint64_t off, unsigned len, unsigned pat)
{
    uint8_t byte;
    int bad = -1;

    for (unsigned i = 0; i < sizeof(dmb[0]) && bad < 0; i++) {
        byte = ISM_DMB_FILL;
        if (i >= off && i < off + len) {
            byte = zt_pattern(pat, i - off);
        } else if (want) {
            byte = want[i];
        }
        if (f->dmb[i] != byte) {
            bad = i;
        }
    }
    report(bad < 0, name, "first difference at DMB offset 0x%x: 0x%02x",
           bad, bad < 0 ? 0 : f->dmb[bad]);
}

/*
 * Two ISM functions as SMC-D peers (see the top of the file): moves from
 * each into the other's DMB, and a signal that arrives while the other
 * function's summary bit in the same byte is still set.
 */
static void cross(struct ism_fn *a, uint32_t fid2, uint8_t isc,
                  unsigned sba_idx, uint64_t timeout)
{
    struct ism_fn *b = &fns[1];
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    unsigned xlen = param_u64("xlen", 4096);
    uint32_t since;

    if (!report(xlen >= 1 && xlen <= 4096, "ism-x-args", "xlen %u", xlen) ||
        !setup(b, fid2, &q, &g)) {
        return;
    }
    ism_start(b);
    /* A's loopback DMB makes way for one that B may write */
    ism_unreg_dmb(a, "ism-unreg-dmb");
    memset(a->dmb, ISM_DMB_FILL, sizeof(dmb[0]));
    memset(b->dmb, ISM_DMB_FILL, sizeof(dmb[0]));
    ism_reg_dmb(a, "ism-x-reg-dmb", sba_idx, b->gid);
    ism_reg_dmb(b, "ism-reg-dmb", sba_idx, a->gid);

    airq_enable_isc(isc);
    since = io_int_count();
    x_move(a, b, "ism-x-move-a-to-b", ZT_ISM_X_SEED, 0, xlen);
    since = check_signal(b, "ism-x-move-a-to-b", 0, isc, sba_idx, since,
                         timeout, false);
    report(!test_bit_inv(a->sba, 0) && !test_bit_inv(aisb, a->sum_bit),
           "ism-x-move-a-to-b-sender-quiet", "sender's sba byte 0 0x%x, "
           "summary 0x%x", a->sba[0], aisb[0]);
    x_data(b, "ism-x-move-a-to-b-data", NULL, 0, xlen, ZT_ISM_X_SEED);

    x_move(b, a, "ism-x-move-b-to-a", ZT_ISM_X_SEED + 1, 0, xlen);
    since = check_signal(a, "ism-x-move-b-to-a", 0, isc, sba_idx, since,
                         timeout, true);
    x_data(a, "ism-x-move-b-to-a-data", NULL, 0, xlen, ZT_ISM_X_SEED + 1);

    /* A's summary bit is still set: B's signal must still interrupt */
    x_move(a, b, "ism-x-shared-summary", ZT_ISM_X_SEED + 2, 8192, xlen);
    check_signal(b, "ism-x-shared-summary", 0, isc, sba_idx, since, timeout,
                 false);
    clear_bit_inv(aisb, a->sum_bit);
    airq_disable();
    {
        static uint8_t first[ISM_DMB_LEN];

        memset(first, ISM_DMB_FILL, sizeof(first));
        for (unsigned i = 0; i < xlen; i++) {
            first[i] = zt_pattern(ZT_ISM_X_SEED, i);
        }
        x_data(b, "ism-x-shared-summary-data", first, 8192, xlen,
               ZT_ISM_X_SEED + 2);
    }

    ism_unreg_dmb(b, "ism-unreg-dmb");
    ism_stop(b);
}

int main(void)
{
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    struct ism_fn *a = &fns[0];
    uint8_t isc = param_u64("isc", 3);
    unsigned sba_idx = param_u64("sba_idx", 32);
    uint64_t timeout = param_u64("timeout_ms", 5000) * 1000;
    uint32_t fid2 = param_u64("fid2", 0);

    fns[1].n = 1;
    if (!setup(a, param_u64("fid", ~0u), &q, &g)) {
        return 1;
    }
    ism_start(a);
    if (param_u64("gid", 0)) {
        report(a->gid == param_u64("gid", 0), "ism-gid", "gid 0x%lx",
               a->gid);
    }

    /* DMB registered to ourselves (rgid = own gid): a loopback move */
    ism_reg_dmb(a, "ism-reg-dmb", sba_idx, a->gid);
    moves(a, isc, sba_idx, timeout);

    if (fid2) {
        cross(a, fid2, isc, sba_idx, timeout);
    }
    ism_unreg_dmb(a, fid2 ? "ism-x-unreg-dmb" : "ism-unreg-dmb");
    ism_stop(a);
    report_info("bar-instructions pcistb=%u pcilg=%u", bar_stb, bar_lg);
    return 0;
}
