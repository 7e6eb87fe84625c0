/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Recovery from PCI errors of the host: a loop of PCI Store Blocks during
 * which the host puts the function into the error state.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The payload moves block after block to the function.  A move that fails
 * with condition code 1, status 8 (function in error state) or 12
 * (blocked by the error state), makes it
 * wait for the PCI error event (CHSC store event information), recover
 * the function and move the same block again.  Every move attempt and
 * every event is listed on the console, so that the host side can check
 * the event against what it injected and the bytes it received after the
 * recovery against the moves that succeeded:
 *
 *   # move i=I off=0xO len=L cc=C st=S
 *   # event cc=C fh=0xH fid=0xF pec=0xP faddr=0xA
 *   # recover how=H cc=C st=S fh=0xH
 *
 * Parameters: fid (required); moves (number of blocks, default 32); len
 * (block length, default: the group's maxstbl, at most 4096); as and off
 * (the target of non-ISM functions: block I goes to off + I * len in
 * address space as); ism (1: an ISM function: its blocks go to a DMB
 * registered to itself, DMB offset (I % 4) * len, re-registered after a
 * recovery); how (0: MPCIFC reset error indication, 1: CLP disable and
 * enable); events (the error events the run must see, default 1);
 * timeout_ms (how long to wait for an event); flood (after the moves:
 * that many MPCIFC reset error indications and a tenth as many CLP
 * disable and enable cycles of the healthy function, a guest that floods
 * recovery requests).  The data of block I is pattern ZT_ERR_SEED + I
 * (pattern.h).
 */
#include "zpci.h"
#include "pattern.h"

#define ZT_ERR_SEED         0x40
#define ISM_CMD_AS          2
#define ISM_DATA_AS         0
#define ISM_REG_SBA         0x1
#define ISM_READ_GID        0x3
#define ISM_REG_DMB         0xa
#define ISM_DMB_LEN         16384
#define SEI_CCDF            64          /* the CCDF in the response */
#define SEI_CC_ERROR        1

static uint8_t chsc_area[4096] ALIGNED(4096);
static uint8_t block[4096] ALIGNED(4096);
static uint8_t sba[4096] ALIGNED(4096);
static uint8_t dmb[ISM_DMB_LEN] ALIGNED(4096);
static uint64_t cmd[8] ALIGNED(64);
static struct zpci_dma_space dma;
static bool dma_mapped;
static uint32_t fh, fid;
static uint64_t dmb_tok;
static unsigned nevents;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/*
 * Collect the PCI events pending now; with wait_us, wait that long for a
 * first one.  Returns how many error events of our function arrived.
 */
static unsigned collect_events(uint64_t wait_us)
{
    uint64_t end = time_us() + wait_us;
    uint8_t *rsp = chsc_area + 16;
    unsigned got = 0;
    uint16_t code;

    for (unsigned n = 0; n < 64;) {
        if (chsc_sei(chsc_area, 16, &code) != 0 ||
            (code != CHSC_RSP_OK && code != CHSC_RSP_NO_EVENT)) {
            report(false, "sei", "chsc failed, response code 0x%x", code);
            return got;
        }
        if (code == CHSC_RSP_NO_EVENT) {
            if (got || time_us() >= end) {
                return got;
            }
            udelay(1000);
            continue;
        }
        n++;
        printf("# event cc=%u fh=0x%x fid=0x%x pec=0x%x faddr=0x%lx\n",
               rsp[11], be32(rsp + SEI_CCDF + 4), be32(rsp + SEI_CCDF + 8),
               rsp[SEI_CCDF + 30] << 8 | rsp[SEI_CCDF + 31],
               be64(rsp + SEI_CCDF + 16));
        if (rsp[7] == 2 && rsp[11] == SEI_CC_ERROR &&
            be32(rsp + SEI_CCDF + 8) == fid) {
            got++;
            nevents++;
        }
    }
    return got;
}

/* One ISM command: the body at offset 8, the header at 0, the response */
static int ism_command(uint32_t c, unsigned body_len, unsigned rsp_dw)
{
    uint8_t st;

    cmd[0] = (uint64_t)c << 32 | (8 + body_len);
    if ((body_len && pcistb(&cmd[1], fh, ISM_CMD_AS, 8, body_len, &st)) ||
        pcistb(&cmd[0], fh, ISM_CMD_AS, 0, 8, &st)) {
        return -1;
    }
    for (unsigned i = 0; i < rsp_dw; i++) {
        if (pcilg(&cmd[i], fh, ISM_CMD_AS, 8 * i, 8, &st)) {
            return -1;
        }
    }
    return cmd[0] >> 16 & 0xffff;
}

/*
 * What a driver does when its function comes up: memory and bus master,
 * and for ISM the DMA translation (with reg_dma: after an MPCIFC reset
 * error indication it is still in place), the status block and a DMB.
 */
static bool bring_up(bool ism, bool reg_dma)
{
    struct clp_query_pci q;
    uint64_t iova, gid;
    uint16_t rsp;
    uint8_t st;

    if (zpci_cfg_write(fh, PCI_COMMAND, 2,
                       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) {
        return false;
    }
    if (!ism) {
        return true;
    }
    if (clp_query_pci(fh, &q, &rsp) || rsp != CLP_RC_OK) {
        return false;
    }
    if (!dma_mapped) {
        zpci_dma_init(&dma, q.sdma, 16 << 20);
        if (zpci_dma_map(&dma, sba, sizeof(sba), &iova) ||
            zpci_dma_map(&dma, dmb, sizeof(dmb), &iova)) {
            return false;
        }
        dma_mapped = true;
    }
    if (reg_dma &&
        (zpci_reg_ioat(fh, dma.pba, dma.pal, zpci_dma_iota(&dma), &st) ||
         rpcit(fh, dma.pba + (uintptr_t)sba, sizeof(sba), &st) ||
         rpcit(fh, dma.pba + (uintptr_t)dmb, sizeof(dmb), &st))) {
        return false;
    }
    cmd[1] = dma.pba + (uintptr_t)sba;
    if (ism_command(ISM_REG_SBA, 8, 1) != 0 ||
        ism_command(ISM_READ_GID, 0, 2) != 0) {
        return false;
    }
    gid = cmd[1];
    /* iova, length and SBA index, VLAN, remote GID (ourselves) */
    cmd[1] = dma.pba + (uintptr_t)dmb;
    cmd[2] = (uint64_t)sizeof(dmb) << 32 | 32;
    cmd[3] = 0;
    cmd[4] = gid;
    if (ism_command(ISM_REG_DMB, 32, 2) != 0) {
        return false;
    }
    dmb_tok = cmd[1];
    printf("# dmb token 0x%lx\n", dmb_tok);
    return true;
}

/* Leave the error state the way the guest was told to */
static bool recover(unsigned how, bool ism)
{
    struct zpci_fib fib = {};
    uint32_t nfh = fh;
    uint16_t rsp = 0;
    uint8_t st = 0;
    int cc;

    if (how == 0) {
        cc = mpcifc(fh, ZPCI_MOD_FC_RESET_ERROR, 0, &fib, &st);
    } else {
        cc = clp_disable(fh, &nfh, &rsp);
        if (!cc && rsp == CLP_RC_OK) {
            cc = clp_enable(nfh, &nfh, &rsp);
        }
        cc = cc ? cc : rsp != CLP_RC_OK;
        if (!cc) {
            fh = nfh;
        }
    }
    printf("# recover how=%u cc=%d st=%u fh=0x%x\n", how, cc, st, fh);
    if (cc) {
        return false;
    }
    /* a host function that was reset lost what its driver registered */
    return how == 1 || ism ? bring_up(ism, how == 1) : true;
}

int main(void)
{
    struct clp_fh_entry fn;
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    unsigned moves = param_u64("moves", 32);
    unsigned how = param_u64("how", 0);
    unsigned want_events = param_u64("events", 1);
    bool ism = param_u64("ism", 0);
    uint8_t as = ism ? ISM_DATA_AS : param_u64("as", 0);
    uint64_t off = param_u64("off", 0);
    uint64_t timeout = param_u64("timeout_ms", 5000) * 1000;
    unsigned len, recovered = 0, failed = 0;
    uint16_t rsp;
    uint8_t st;
    int cc;

    fid = param_u64("fid", ~0u);
    if (!report(fid != ~0u && clp_find(fid, 0, 0, &fn), "clp-list",
                "fid 0x%x not listed", fid)) {
        return 1;
    }
    fh = fn.fh;
    if (!report(clp_query_pci(fh, &q, &rsp) == 0 && rsp == CLP_RC_OK &&
                clp_query_pci_grp(q.pfgid, &g, &rsp) == 0 &&
                rsp == CLP_RC_OK, "clp-query", "rsp 0x%x", rsp)) {
        return 1;
    }
    len = param_u64("len", g.maxstbl < 4096 ? g.maxstbl : 4096);
    report_info("block length %u, group maxstbl %u", len, g.maxstbl);
    if (!zpci_setup_enable(fh, 0, &fh) ||
        !report(bring_up(ism, true), "bring-up", "fh 0x%x", fh)) {
        return 1;
    }

again:
    for (unsigned i = 0; i < moves; i++) {
        uint64_t at = ism ? dmb_tok | (i % 4) * len : off + i * len;

        zt_pattern_fill(block, ZT_ERR_SEED + i, len);
        st = 0;
        cc = pcistb(block, fh, as, at, len, &st);
        printf("# move i=%u off=0x%lx len=%u cc=%d st=%u\n", i, at, len, cc,
               st);
        /*
         * On the BAR path the host's failure does not reach the
         * instruction: the event may come while the moves still succeed.
         */
        if (cc == 0 && !collect_events(0)) {
            continue;
        }
        if (cc == 0) {
            if (!recover(how, ism)) {
                report(false, "recover", "after move %u", i);
                break;
            }
            recovered++;
            i--;                    /* the same block again */
            continue;
        }
        /* the host's failure (8), or QEMU's error state (12) */
        if (cc != 1 ||
            (st != ZPCI_ST_FUNC_IN_ERR && st != ZPCI_ST_BLOCKED) ||
            failed++ > moves) {
            report(false, "moves", "move %u cc %d status %u", i, cc, st);
            break;
        }
        if (!collect_events(timeout)) {
            report(false, "error-event", "no error event within %lu ms "
                   "after move %u failed", timeout / 1000, i);
            break;
        }
        if (!recover(how, ism)) {
            report(false, "recover", "after move %u", i);
            break;
        }
        recovered++;
        i--;                        /* the same block again */
    }
    /*
     * On the BAR path the event may come only after the last move: then
     * recover and move every block again, so that the moves after the
     * recovery are all of them.
     */
    if (want_events && !recovered && !failed && collect_events(timeout)) {
        if (!recover(how, ism)) {
            report(false, "recover", "after the last move");
        } else {
            recovered++;
            goto again;
        }
    }
    /* anything the host still had to say */
    collect_events(200000);
    if (param_u64("flood", 0)) {
        unsigned n = param_u64("flood", 0), seq = 0, cycles = 0;
        struct zpci_fib fib = {};
        uint32_t nfh;

        for (unsigned k = 0; k < n; k++) {
            st = 0;
            cc = mpcifc(fh, ZPCI_MOD_FC_RESET_ERROR, 0, &fib, &st);
            seq += cc == 1 && st == ZPCI_MOD_ST_SEQUENCE;
        }
        for (unsigned k = 0; k < n / 10; k++) {
            if (clp_disable(fh, &nfh, &rsp) || rsp != CLP_RC_OK ||
                clp_enable(nfh, &fh, &rsp) || rsp != CLP_RC_OK) {
                break;
            }
            cycles++;
        }
        report(seq == n && cycles == n / 10 && bring_up(ism, true),
               "flood-sequence", "%u of %u sequence errors, %u of %u "
               "disable/enable cycles", seq, n, cycles, n / 10);
    }
    report(want_events ? recovered > 0 : recovered == 0, "recovered",
           "%u recoveries", recovered);
    report(nevents == want_events, "error-events", "%u error events, want %u",
           nevents, want_events);
    report_info("moves done: %u recoveries, %u events", recovered, nevents);
    cc = clp_disable(fh, &fh, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK, "clp-disable", "cc %d rsp 0x%x", cc,
           rsp);
    return 0;
}
