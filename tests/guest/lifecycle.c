/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * PCI I/O that keeps going while the host plugs, unplugs and resets.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The payload of tests/lifecycle: for "seconds" seconds it loops over the
 * functions it is given, issuing one PCI Store Block and one PCI Load per
 * enabled function per round, and behaves like a guest operating system
 * towards hot plug:
 *
 *  - every tick it drains the machine's event queue (CHSC STORE EVENT
 *    INFORMATION, PCI availability events): on a deconfigure request it
 *    disables the function (CLP SET PCI FUNCTION) and deconfigures it
 *    (SCLP DECONFIGURE I/O ADAPTER), which lets QEMU finish the unplug;
 *  - every tick it lists the functions (CLP LIST PCI): a function that
 *    (re)appears in standby is configured (SCLP CONFIGURE I/O ADAPTER),
 *    one that is configured but not enabled is enabled, so I/O resumes
 *    on a hot-plugged function without help;
 *  - with toggle=1 it disables and re-enables function 0 every tick,
 *    issuing I/O with the stale handle in between;
 *  - every tick it idles for a millisecond (an enabled wait), as an
 *    operating system does.
 *
 * Parameters: nfid, fidN, nboot (functions present at boot, default
 * nfid), ism_regs (1: set up DMA and register a status block and a DMB
 * with every ISM function it enables, as the ism driver does), seconds (default 10; the runner usually ends
 * the run with QMP quit before), tick_ms (default 200), toggle.  Output, once per tick:
 *
 *   # lc tick=T fid=0xF state=S ok=N cc1=N cc2=N cc3=N pgm=N io=N
 *
 * (state: gone, standby, disabled, enabled; the counters count rounds
 * since boot by outcome, io the rounds with both instructions at cc 0),
 * plus "# lc start" at boot and "# lc event fid=0xF pec=0xP" per event.
 * Checks: lc-setup; "not ok - lc-events" as soon as the event queue
 * does not answer (and "ok - lc-events" if the run ends by itself).
 */
#include "zpci.h"
#include "sclp.h"
#include "timer.h"
#include "asm-offsets.h"

#define MAX_FNS             4
#define PEC_TO_CONFIGURED   0x0301
#define PEC_DECONF_REQUEST  0x0303

struct lc_fn {
    uint32_t fid;
    bool ism_registered;    /* SBA and a DMB registered with the ISM */
    uint32_t fh;            /* as listed */
    uint16_t vendor, device;
    bool listed, configured, enabled;
    uint8_t bar;            /* where the blocks go */
    uint64_t off;
    uint16_t len;
    uint64_t ok, cc1, cc2, cc3, pgm, io;
};

static struct lc_fn fns[MAX_FNS];
static unsigned nfns;
static uint8_t block[4096] ALIGNED(4096);
/* ISM status block and DMB, the only memory the functions may DMA to */
static uint8_t ism_sba[4096] ALIGNED(4096);
static uint8_t ism_dmb[4096] ALIGNED(4096);
static struct zpci_dma_space dma;
static bool dma_ready;
static uint8_t chsc_area[4096] ALIGNED(4096);
static bool events_ok = true;
static bool ism_regs;           /* register SBA and DMB with ISM functions */

/* Reported at once: the runner usually ends the run with QMP quit */
static void events_failed(const char *what)
{
    if (events_ok) {
        report(false, "lc-events", "CHSC STORE EVENT INFORMATION: %s", what);
        events_ok = false;
    }
}

/* ---- idling ------------------------------------------------------------- */

/*
 * A guest that never waits keeps its TCG vCPU inside QEMU's execution
 * loop, where QEMU defers the RCU callbacks that finalize unplugged
 * devices (no DEVICE_DELETED, the vfio group stays open).  An operating
 * system idles now and then; so does this payload: once per tick it waits
 * for the clock comparator, enabled for external interruptions only.
 * The handler clears the wait and external bits of the old PSW, so the
 * CPU continues after the wait, disabled again.
 */
#define LC_EXT_OLD_PSW      0x130
#define CR0_CKC_SUBMASK     0x800ull

asm(".text\n"
    ".align 8\n"
    "lc_ext_entry:\n"
    "  ni 0x131,0xfd\n"                /* wait bit off */
    "  ni 0x130,0xfe\n"                /* external mask off */
    "  lpswe 0x130\n");
extern char lc_ext_entry[];

static void idle_us(uint64_t us)
{
    uint64_t ckc = get_tod() + (us << 12);  /* TOD bit 51 is 1 us */
    uint64_t psw[2] ALIGNED(8) = {
        PSW_MASK_64 | PSW_MASK_EXT | PSW_MASK_WAIT, 0
    };
    uint64_t never = ~0ull;

    *(volatile uint64_t *)(uintptr_t)LC_EXT_NEW_PSW = PSW_MASK_64;
    *(volatile uint64_t *)(uintptr_t)(LC_EXT_NEW_PSW + 8) =
        (uintptr_t)lc_ext_entry;
    asm volatile("sckc %0" : : "Q" (ckc));
    lctlg(0, stctg(0) | CR0_CKC_SUBMASK);
    asm volatile("larl %%r1,0f\n"
                 "stg %%r1,8(%[psw])\n"
                 "lpswe 0(%[psw])\n"
                 "0:\n"
                 : : [psw] "a" (psw) : "r1", "cc", "memory");
    asm volatile("sckc %0" : : "Q" (never));
    lctlg(0, stctg(0) & ~CR0_CKC_SUBMASK);
}

/* ---- SCLP and CHSC ------------------------------------------------------ */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static struct lc_fn *by_fid(uint32_t fid)
{
    for (unsigned i = 0; i < nfns; i++) {
        if (fns[i].fid == fid) {
            return &fns[i];
        }
    }
    return NULL;
}

/*
 * One STORE EVENT INFORMATION with the PCI (type 2) selection; returns
 * false when there was no event.
 */
static bool sei_one(void)
{
    uint8_t *rsp = chsc_area + 16;
    uint32_t fid;
    uint16_t pec;
    struct lc_fn *f;
    uint16_t rsp_code;

    memset(chsc_area, 0, 128);
    if (chsc_sei(chsc_area, 16, &rsp_code) != 0) {
        events_failed("cc");
        return false;
    }
    if (rsp_code == CHSC_RSP_NO_EVENT) {
        return false;
    }
    if (rsp_code != CHSC_RSP_OK) {
        events_failed("response code");
        return false;
    }
    if (rsp[7] != 2 || rsp[11] != 2) {      /* nt 2, availability */
        return true;                        /* (error events: ignored) */
    }
    fid = be32(rsp + 64 + 8);
    pec = rsp[64 + 30] << 8 | rsp[64 + 31];
    printf("# lc event fid=0x%x pec=0x%x\n", fid, pec);
    f = by_fid(fid);
    if (f && pec == PEC_DECONF_REQUEST) {
        uint32_t nfh;
        uint16_t crsp;

        if (f->enabled) {
            clp_disable(f->fh, &nfh, &crsp);
            f->enabled = false;
        }
        /* QEMU completes the unplug now */
        sclp_ioa(fid, false);
        f->configured = false;
    }
    return true;
}

static void drain_events(void)
{
    for (int i = 0; i < 64 && sei_one(); i++) {
        continue;
    }
}

/* ---- ISM ------------------------------------------------------------------ */

#define ISM_CMD_AS          2
#define ISM_REG_SBA         0x1
#define ISM_REG_DMB         0xa

static bool is_ism(const struct lc_fn *f)
{
    return f->vendor == 0x1014 && f->device == 0x04ed;
}

/*
 * One ISM command as the Linux driver issues it: the body by PCI Store
 * Block at offset 8, the header (u32 cmd, u16 reserved, u16 length) at
 * offset 0, the response header read back at offset 0.  Returns its ret
 * field (0 = success) or -1 if an instruction failed.
 */
static int ism_command(uint32_t fh, uint32_t cmd, const uint64_t *body,
                       unsigned body_len)
{
    static uint64_t buf[8] ALIGNED(8);
    uint64_t rsp;
    uint16_t pgm;
    uint8_t st;
    int cc;

    memcpy(buf, body, body_len);
    expect_pgm_int();
    cc = pcistb(buf, fh, ISM_CMD_AS, 8, body_len, &st);
    pgm = clear_pgm_int();
    if (cc || pgm) {
        return -1;
    }
    buf[0] = (uint64_t)cmd << 32 | (8 + body_len);
    expect_pgm_int();
    cc = pcistb(buf, fh, ISM_CMD_AS, 0, 8, &st);
    pgm = clear_pgm_int();
    if (cc || pgm) {
        return -1;
    }
    expect_pgm_int();
    cc = pcilg(&rsp, fh, ISM_CMD_AS, 0, 8, &st);
    pgm = clear_pgm_int();
    if (cc || pgm || rsp >> 32 != cmd) {
        return -1;
    }
    return rsp >> 16 & 0xffff;
}

/*
 * What the ism driver does when a function comes up: DMA translation
 * (a status block and one DMB), REG_SBA, REG_DMB.  A reset of the machine
 * must reset such a function before it unmaps the DMA areas the function
 * still writes to.
 */
static void ism_setup(struct lc_fn *f)
{
    struct clp_query_pci q;
    uint64_t sba_iova, dmb_iova, body[4];
    uint16_t rsp;
    uint8_t st;

    f->ism_registered = false;
    if (clp_query_pci(f->fh, &q, &rsp) || rsp != CLP_RC_OK) {
        return;
    }
    if (!dma_ready) {
        zpci_dma_init(&dma, q.sdma, 16 << 20);
        if (zpci_dma_map(&dma, ism_sba, sizeof(ism_sba), &sba_iova) ||
            zpci_dma_map(&dma, ism_dmb, sizeof(ism_dmb), &dmb_iova)) {
            return;
        }
        dma_ready = true;
    }
    sba_iova = dma.pba + (uintptr_t)ism_sba;
    dmb_iova = dma.pba + (uintptr_t)ism_dmb;
    if (zpci_reg_ioat(f->fh, dma.pba, dma.pal, zpci_dma_iota(&dma), &st) ||
        rpcit(f->fh, sba_iova, sizeof(ism_sba), &st) ||
        rpcit(f->fh, dmb_iova, sizeof(ism_dmb), &st)) {
        return;
    }
    body[0] = sba_iova;
    if (ism_command(f->fh, ISM_REG_SBA, body, 8) != 0) {
        return;
    }
    /* iova, length, SBA index, VLAN valid, VLAN id, remote GID */
    body[0] = dmb_iova;
    body[1] = (uint64_t)sizeof(ism_dmb) << 32 | (f - fns);
    body[2] = 0;
    body[3] = 0;
    f->ism_registered = ism_command(f->fh, ISM_REG_DMB, body, 32) == 0;
    printf("# lc ism fid=0x%x registered=%d\n", f->fid, f->ism_registered);
}

/* ---- functions ---------------------------------------------------------- */

static void choose_target(struct lc_fn *f)
{
    /* strict-rule blocks that every model accepts somewhere harmless */
    f->len = 64;
    f->off = 0;
    f->bar = 0;
    if (f->vendor == 0x1014 && f->device == 0x04ed) {
        f->bar = 2;                         /* ISM command space, body */
        f->off = 8;
    }
}

static void enable(struct lc_fn *f)
{
    uint32_t nfh;
    uint16_t rsp;

    if (clp_enable(f->fh, &nfh, &rsp) || rsp != CLP_RC_OK) {
        return;
    }
    f->fh = nfh;
    f->enabled = true;
    zpci_cfg_write(f->fh, PCI_COMMAND, 2,
                   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    choose_target(f);
    if (is_ism(f) && ism_regs) {
        ism_setup(f);
    }
}

static void rescan(void)
{
    static struct clp_fh_entry list[64];
    uint16_t rsp;
    int n;

    if (clp_list_pci(list, ARRAY_SIZE(list), &n, &rsp) || rsp != CLP_RC_OK) {
        return;
    }
    for (unsigned i = 0; i < nfns; i++) {
        struct lc_fn *f = &fns[i];

        f->listed = false;
        for (int j = 0; j < n; j++) {
            if (list[j].fid != f->fid) {
                continue;
            }
            f->listed = true;
            f->configured = !!(list[j].config & CLP_CONFIG_CONFIGURED);
            f->enabled = !!(list[j].fh & CLP_FH_ENABLED);
            f->fh = list[j].fh;
            f->vendor = list[j].vendor_id;
            f->device = list[j].device_id;
        }
        if (!f->listed) {
            f->configured = f->enabled = false;
            continue;
        }
        if (!f->configured) {
            sclp_ioa(f->fid, true);
            f->configured = true;
        }
        if (!f->enabled) {
            enable(f);
        }
    }
}

static void io_round(struct lc_fn *f, uint32_t fh)
{
    uint64_t data;
    uint16_t pgm;
    uint8_t st;
    int cc, cc2;

    expect_pgm_int();
    cc = pcistb(block, fh, f->bar, f->off, f->len, &st);
    pgm = clear_pgm_int();
    if (!pgm) {
        expect_pgm_int();
        cc2 = pcilg(&data, fh, ZPCI_CFG_AS, 0, 4, &st);
        pgm = clear_pgm_int();
    } else {
        cc2 = 0;
    }
    if (pgm) {
        f->pgm++;
    } else if (cc == 0 && cc2 == 0) {
        f->ok++;
        f->io++;
    } else {
        int c = cc ? cc : cc2;

        if (c == 1) {
            f->cc1++;
        } else if (c == 2) {
            f->cc2++;
        } else {
            f->cc3++;
        }
    }
}

static const char *state_name(const struct lc_fn *f)
{
    return !f->listed ? "gone" : !f->configured ? "standby" :
           !f->enabled ? "disabled" : "enabled";
}

int main(void)
{
    uint64_t seconds = param_u64("seconds", 10);
    uint64_t tick_us = param_u64("tick_ms", 200) * 1000;
    bool toggle = param_u64("toggle", 0);

    ism_regs = param_u64("ism_regs", 0);
    uint64_t start, next_tick, tick = 0;
    uint32_t fids[MAX_FNS];

    printf("# lc start\n");
    nfns = param_list("nfid", "fid", fids, MAX_FNS);
    for (unsigned i = 0; i < nfns; i++) {
        fns[i].fid = fids[i];
    }
    for (unsigned i = 0; i < sizeof(block); i++) {
        block[i] = i * 7 + 1;
    }
    rescan();
    {
        /* the first nboot functions are there at boot, others come later */
        unsigned nboot = param_u64("nboot", nfns);
        bool all = nfns > 0;

        for (unsigned i = 0; i < nboot && i < nfns; i++) {
            all = all && fns[i].enabled;
        }
        report(all, "lc-setup", "not every function could be enabled");
    }

    start = time_us();
    next_tick = start;
    while (time_us() - start < seconds * 1000000) {
        for (unsigned i = 0; i < nfns; i++) {
            /* a function that went away still gets its stale handle */
            io_round(&fns[i], fns[i].fh | CLP_FH_ENABLED);
        }
        if (time_us() < next_tick) {
            continue;
        }
        idle_us(1000);
        /* no catch-up bursts after a stall: ticks stay tick_ms apart */
        next_tick = time_us() + tick_us;
        tick++;
        if (toggle && nfns && fns[0].enabled) {
            uint32_t nfh, old = fns[0].fh;
            uint16_t rsp;

            if (!clp_disable(old, &nfh, &rsp) && rsp == CLP_RC_OK) {
                fns[0].enabled = false;
                fns[0].fh = nfh;
                io_round(&fns[0], old);     /* stale handle: cc 3 */
                enable(&fns[0]);
            }
        }
        drain_events();
        rescan();
        for (unsigned i = 0; i < nfns; i++) {
            struct lc_fn *f = &fns[i];

            printf("# lc tick=%lu fid=0x%x state=%s ok=%lu cc1=%lu cc2=%lu "
                   "cc3=%lu pgm=%lu io=%lu\n", tick, f->fid, state_name(f),
                   f->ok, f->cc1, f->cc2, f->cc3, f->pgm, f->io);
        }
    }
    report(events_ok, "lc-events", "CHSC STORE EVENT INFORMATION");
    return 0;
}
