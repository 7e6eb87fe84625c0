/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim model "ism": an ISM (SMC-D) function: command space protocol,
 * DMB data space, status block and event queue.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * BAR 0: data space, 256 TiB, addressed by
 *        dmb_token | idx << 24 | sf << 23 | offset; PCI Store Block only.
 * BAR 2: command space, 8 KiB.  Request body by PCI Store Block at 8, then
 *        the 8-byte header at 0 executes it; the response (same buffer)
 *        is read back with loads.  All fields big-endian, as the s390
 *        driver lays them out in memory.
 * DMB tokens and GIDs are simulator-wide, so two ism functions in one
 * QEMU can move data to each other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>

#include "../zpci-sim.h"
#include "../fabric.h"

#define ISM_BAR_DATA        0
#define ISM_BAR_CMD         2
#define ISM_CMD_SIZE        8192
#define ISM_DATA_SIZE       (1ULL << 48)

#define ISM_REG_SBA         0x1
#define ISM_REG_IEQ         0x2
#define ISM_READ_GID        0x3
#define ISM_ADD_VLAN_ID     0x4
#define ISM_DEL_VLAN_ID     0x5
#define ISM_SET_VLAN        0x6
#define ISM_RESET_VLAN      0x7
#define ISM_QUERY_INFO      0x8
#define ISM_QUERY_RGID      0x9
#define ISM_REG_DMB         0xa
#define ISM_UNREG_DMB       0xb
#define ISM_SIGNAL_IEQ      0xe
#define ISM_UNREG_SBA       0x11
#define ISM_UNREG_IEQ       0x12

#define ISM_RET_OK          0
#define ISM_RET_ERROR       0xffff

#define ISM_NR_DMBS         1920
#define ISM_SBA_SIZE        4096
#define ISM_SBA_DMB_BITS    4       /* offset of dmb_bits[] in the SBA */
#define ISM_SBA_DMBE_MASK   256     /* offset of dmbe_mask[] in the SBA */
#define ISM_SBA_SUMMARY     0x80    /* byte 0: s bit */
#define ISM_SBA_EVENT       0x40    /* byte 0: e bit */
#define ISM_EQ_HDR          32
#define ISM_EQ_ENTRY        32
#define ISM_EQ_MAX          15
#define ISM_EVENT_SWR       2
#define ISM_MAX_VLANS       64
#define ISM_MAX_VLAN_ID     0x1fff
#define ISM_QI_LEN          200

#define ISM_TOKEN_MASK      0x0000ffff00000000ULL
#define ISM_DMB_MAX_LEN     (1U << 23)

typedef struct IsmDmb {
    uint64_t token;
    uint64_t iova;
    uint32_t len;
    uint32_t sba_idx;
    uint32_t vlan_valid;
    uint32_t vlan_id;
    uint64_t rgid;
    SimFunction *owner;
} IsmDmb;

typedef struct IsmState {
    uint8_t cmd[ISM_CMD_SIZE];
    bool sba_valid;
    uint64_t sba;
    bool ieq_valid;
    uint64_t ieq;
    uint64_t ieq_len;
    unsigned ieq_next;
    bool vlan_required;
    uint16_t vlans[ISM_MAX_VLANS];
    unsigned nr_vlans;
    unsigned commands;
    unsigned moves;
    unsigned signals;
    unsigned events;
} IsmState;

/* Simulator-wide: token -> IsmDmb */
static GHashTable *ism_dmbs;
static uint64_t ism_next_token = 1;

static void ism_defaults(SimFunction *f)
{
    static unsigned count;

    f->vendor_id = 0x1014;
    f->device_id = 0x04ed;
    f->class_code = 0x028000;
    f->pft = 5;
    f->mio = false;
    f->relaxed = true;
    f->maxstbl = 4096;
    f->msi_vectors = 1;
    f->msix_vectors = 0;
    f->ism_gid = 0x1234567800000000ULL + ++count;
    f->bars[ISM_BAR_DATA] = (SimBar){ .size = ISM_DATA_SIZE, .mem64 = true };
    f->bars[ISM_BAR_CMD] = (SimBar){ .size = ISM_CMD_SIZE, .mem64 = true };
}

static void ism_realize(SimFunction *f)
{
    f->model_state = g_new0(IsmState, 1);
    if (!ism_dmbs) {
        ism_dmbs = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                         g_free);
    }
}

static SimFunction *ism_by_gid(uint64_t gid)
{
    guint i;

    for (i = 0; i < sim.functions->len; i++) {
        SimFunction *f = g_ptr_array_index(sim.functions, i);

        if (f->model == &sim_model_ism && f->ism_gid == gid) {
            return f;
        }
    }
    return NULL;
}

static void ism_drop_dmbs(SimFunction *f)
{
    GHashTableIter it;
    gpointer k, v;

    if (!ism_dmbs) {
        return;
    }
    g_hash_table_iter_init(&it, ism_dmbs);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        if (((IsmDmb *)v)->owner == f) {
            sim_fabric_dmb_unregistered(((IsmDmb *)v)->token);
            g_hash_table_iter_remove(&it);
        }
    }
}

static void ism_reset(SimFunction *f)
{
    ism_drop_dmbs(f);
    memset(f->model_state, 0, sizeof(IsmState));
}

static unsigned ism_count_dmbs(SimFunction *f)
{
    GHashTableIter it;
    gpointer k, v;
    unsigned n = 0;

    g_hash_table_iter_init(&it, ism_dmbs);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        n += ((IsmDmb *)v)->owner == f;
    }
    return n;
}

static bool ism_sba_idx_used(SimFunction *f, uint32_t idx)
{
    GHashTableIter it;
    gpointer k, v;

    g_hash_table_iter_init(&it, ism_dmbs);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        IsmDmb *d = v;

        if (d->owner == f && d->sba_idx == idx) {
            return true;
        }
    }
    return false;
}

static const char *ism_cmd_name(uint32_t cmd)
{
    switch (cmd) {
    case ISM_REG_SBA:
        return "REG_SBA";
    case ISM_REG_IEQ:
        return "REG_IEQ";
    case ISM_READ_GID:
        return "READ_GID";
    case ISM_ADD_VLAN_ID:
        return "ADD_VLAN_ID";
    case ISM_DEL_VLAN_ID:
        return "DEL_VLAN_ID";
    case ISM_SET_VLAN:
        return "SET_VLAN";
    case ISM_RESET_VLAN:
        return "RESET_VLAN";
    case ISM_QUERY_INFO:
        return "QUERY_INFO";
    case ISM_QUERY_RGID:
        return "QUERY_RGID";
    case ISM_REG_DMB:
        return "REG_DMB";
    case ISM_UNREG_DMB:
        return "UNREG_DMB";
    case ISM_SIGNAL_IEQ:
        return "SIGNAL_IEQ";
    case ISM_UNREG_SBA:
        return "UNREG_SBA";
    case ISM_UNREG_IEQ:
        return "UNREG_IEQ";
    default:
        return "UNKNOWN";
    }
}

/* Device-side refusal of a command: logged, answered with ret 0xffff */
static uint16_t cmd_fail(SimFunction *f, uint32_t cmd, const char *reason)
{
    sim_reject(f, "ism_cmd", EIO, reason, "\"cmd\": %u, \"name\": \"%s\"",
               cmd, ism_cmd_name(cmd));
    return ISM_RET_ERROR;
}

/* Post an event into f's event queue; true if it was queued */
static bool ism_post_event(SimFunction *f, uint32_t type, uint32_t code,
                           uint64_t tok, uint64_t info)
{
    IsmState *s = f->model_state;
    uint8_t ev[ISM_EQ_ENTRY] = { 0 };
    uint8_t idx[8];
    uint8_t b0;
    unsigned cap;

    if (!s->ieq_valid) {
        return false;
    }
    cap = MIN(ISM_EQ_MAX, (s->ieq_len - ISM_EQ_HDR) / ISM_EQ_ENTRY);
    sim_stl_be(ev, type);
    sim_stl_be(ev + 4, code);
    sim_stq_be(ev + 8, tok);
    sim_stq_be(ev + 16, 0);
    sim_stq_be(ev + 24, info);
    if (!sim_dma_rw(f, s->ieq + ISM_EQ_HDR + s->ieq_next * ISM_EQ_ENTRY,
                    ev, sizeof(ev), true)) {
        return false;
    }
    /* header.idx: one past the newest entry, as the driver consumes it */
    sim_stq_be(idx, s->ieq_next + 1);
    sim_dma_rw(f, s->ieq, idx, sizeof(idx), true);
    s->ieq_next = (s->ieq_next + 1) % cap;
    s->events++;
    if (s->sba_valid && sim_dma_rw(f, s->sba, &b0, 1, false)) {
        b0 |= ISM_SBA_EVENT;
        sim_dma_rw(f, s->sba, &b0, 1, true);
    }
    return true;
}

/* Execute the command in s->cmd; returns the response ret code */
static uint16_t ism_execute(SimFunction *f, uint32_t cmd, uint16_t len,
                            uint16_t *rlen)
{
    IsmState *s = f->model_state;
    uint8_t *b = s->cmd;
    IsmDmb *d;
    SimFunction *peer;
    const char *reason;
    uint64_t v;
    unsigned i;

    *rlen = 8;
    switch (cmd) {
    case ISM_REG_SBA:
        if (len < 16) {
            return cmd_fail(f, cmd, "request too short");
        }
        v = sim_ldq_be(b + 8);
        if (s->sba_valid) {
            return cmd_fail(f, cmd, "SBA already registered");
        }
        if (!sim_dma_check(f, v, ISM_SBA_SIZE, true)) {
            return cmd_fail(f, cmd, "DMA address not mapped");
        }
        s->sba = v;
        s->sba_valid = true;
        return ISM_RET_OK;
    case ISM_REG_IEQ:
        if (len < 24) {
            return cmd_fail(f, cmd, "request too short");
        }
        v = sim_ldq_be(b + 16);
        if (s->ieq_valid) {
            return cmd_fail(f, cmd, "IEQ already registered");
        }
        if (v < ISM_EQ_HDR + ISM_EQ_ENTRY) {
            return cmd_fail(f, cmd, "IEQ too small");
        }
        if (!sim_dma_check(f, sim_ldq_be(b + 8), v, true)) {
            return cmd_fail(f, cmd, "DMA address not mapped");
        }
        s->ieq = sim_ldq_be(b + 8);
        s->ieq_len = v;
        s->ieq_next = 0;
        s->ieq_valid = true;
        return ISM_RET_OK;
    case ISM_READ_GID:
        sim_stq_be(b + 8, f->ism_gid);
        *rlen = 16;
        return ISM_RET_OK;
    case ISM_ADD_VLAN_ID:
    case ISM_DEL_VLAN_ID:
        if (len < 16) {
            return cmd_fail(f, cmd, "request too short");
        }
        v = sim_ldq_be(b + 8);
        for (i = 0; i < s->nr_vlans && s->vlans[i] != v; i++) {
            continue;
        }
        if (cmd == ISM_ADD_VLAN_ID) {
            /* 0x1fff: the reserved id a driver adds to detect SMC-Dv2 */
            if (i < s->nr_vlans || s->nr_vlans == ISM_MAX_VLANS ||
                v > ISM_MAX_VLAN_ID) {
                return cmd_fail(f, cmd, "VLAN id invalid, known or full");
            }
            s->vlans[s->nr_vlans++] = v;
        } else {
            if (i == s->nr_vlans) {
                return cmd_fail(f, cmd, "VLAN id not registered");
            }
            s->vlans[i] = s->vlans[--s->nr_vlans];
        }
        return ISM_RET_OK;
    case ISM_SET_VLAN:
        s->vlan_required = true;
        return ISM_RET_OK;
    case ISM_RESET_VLAN:
        s->vlan_required = false;
        return ISM_RET_OK;
    case ISM_QUERY_INFO:
        memset(b + 8, 0, ISM_QI_LEN - 8);
        sim_stl_be(b + 8, 1);                   /* version */
        sim_stl_be(b + 12, f->maxstbl);         /* max_len */
        sim_stq_be(b + 16, 0);                  /* ism_state */
        sim_stq_be(b + 24, f->ism_gid);
        sim_stq_be(b + 32, s->sba_valid ? s->sba : 0);
        sim_stq_be(b + 40, s->ieq_valid ? s->ieq : 0);
        sim_stl_be(b + 48, s->ieq_valid ? s->ieq_len : 0);
        sim_stl_be(b + 56, ISM_NR_DMBS);        /* dmbs_owned */
        sim_stl_be(b + 60, ism_count_dmbs(f));  /* dmbs_used */
        sim_stl_be(b + 64, s->vlan_required);
        sim_stl_be(b + 68, s->nr_vlans);
        for (i = 0; i < s->nr_vlans; i++) {
            sim_stw_be(b + 72 + 2 * i, s->vlans[i]);
        }
        *rlen = ISM_QI_LEN;
        return ISM_RET_OK;
    case ISM_QUERY_RGID:
        if (len < 24) {
            return cmd_fail(f, cmd, "request too short");
        }
        if (!ism_by_gid(sim_ldq_be(b + 8)) &&
            !sim_fabric_knows_gid(f, sim_ldq_be(b + 8))) {
            return cmd_fail(f, cmd, "remote GID unknown");
        }
        return ISM_RET_OK;
    case ISM_REG_DMB:
        if (len < 40) {
            return cmd_fail(f, cmd, "request too short");
        }
        d = g_new0(IsmDmb, 1);
        d->iova = sim_ldq_be(b + 8);
        d->len = sim_ldl_be(b + 16);
        d->sba_idx = sim_ldl_be(b + 20);
        d->vlan_valid = sim_ldl_be(b + 24);
        d->vlan_id = sim_ldl_be(b + 28);
        d->rgid = sim_ldq_be(b + 32);
        d->owner = f;
        if (!d->len || d->len > ISM_DMB_MAX_LEN) {
            g_free(d);
            return cmd_fail(f, cmd, "DMB length 0 or above 8 MiB");
        }
        if (d->sba_idx >= ISM_NR_DMBS || ism_sba_idx_used(f, d->sba_idx)) {
            g_free(d);
            return cmd_fail(f, cmd, "SBA index invalid or in use");
        }
        if (!sim_dma_check(f, d->iova, d->len, true)) {
            g_free(d);
            return cmd_fail(f, cmd, "DMA address not mapped");
        }
        if (ism_next_token > (sim_fabric_enabled() ? SIM_FABRIC_SEQ_MAX
                                                   : 0xffff)) {
            g_free(d);
            return cmd_fail(f, cmd, "out of DMB tokens");
        }
        /* on a fabric, the token also names this process */
        d->token = sim_fabric_enabled() ?
                   sim_fabric_token(f, ism_next_token++) :
                   ism_next_token++ << 32;
        g_hash_table_insert(ism_dmbs, &d->token, d);
        sim_fabric_dmb_registered(f, d->token, d->len, d->rgid);
        sim_stq_be(b + 8, d->token);
        *rlen = 16;
        return ISM_RET_OK;
    case ISM_UNREG_DMB:
        if (len < 16) {
            return cmd_fail(f, cmd, "request too short");
        }
        v = sim_ldq_be(b + 8);
        d = g_hash_table_lookup(ism_dmbs, &v);
        if (!d || d->owner != f) {
            return cmd_fail(f, cmd, "unknown DMB token");
        }
        sim_fabric_dmb_unregistered(v);
        g_hash_table_remove(ism_dmbs, &v);
        return ISM_RET_OK;
    case ISM_SIGNAL_IEQ:
        if (len < 32) {
            return cmd_fail(f, cmd, "request too short");
        }
        v = sim_ldq_be(b + 8);
        if (!ism_by_gid(v) && sim_fabric_enabled()) {
            char why[96];

            if (sim_fabric_signal(f, v, sim_ldl_be(b + 20),
                                  sim_ldq_be(b + 24), sim_ldl_be(b + 16),
                                  why, sizeof(why))) {
                return cmd_fail(f, cmd, why);
            }
            return ISM_RET_OK;
        }
        if (sim_ism_signal(f->ism_gid, v, sim_ldl_be(b + 20),
                           sim_ldq_be(b + 24), sim_ldl_be(b + 16), &peer,
                           &reason)) {
            return cmd_fail(f, cmd, reason);
        }
        return ISM_RET_OK;
    case ISM_UNREG_SBA:
        if (!s->sba_valid) {
            return cmd_fail(f, cmd, "no SBA registered");
        }
        s->sba_valid = false;
        return ISM_RET_OK;
    case ISM_UNREG_IEQ:
        if (!s->ieq_valid) {
            return cmd_fail(f, cmd, "no IEQ registered");
        }
        s->ieq_valid = false;
        return ISM_RET_OK;
    default:
        return cmd_fail(f, cmd, "unknown ISM command");
    }
}

static void ism_command(SimFunction *f)
{
    IsmState *s = f->model_state;
    uint32_t cmd = sim_ldl_be(s->cmd);
    uint16_t len = sim_lduw_be(s->cmd + 6);
    uint16_t ret, rlen = 8;

    /* a function joins the ISM fabric (if any) when the driver probes */
    sim_fabric_attach(f);
    if (len < 8 || len > ISM_CMD_SIZE) {
        ret = cmd_fail(f, cmd, "bad request length");
    } else {
        ret = ism_execute(f, cmd, len, &rlen);
    }
    s->commands++;
    sim_stl_be(s->cmd, cmd);
    sim_stw_be(s->cmd + 4, ret);
    sim_stw_be(s->cmd + 6, rlen);
    sim_log(f, "ism_cmd", "\"cmd\": %u, \"name\": \"%s\", \"ret\": %u",
            cmd, ism_cmd_name(cmd), ret);
}

static int ism_load(SimFunction *f, int bar, uint64_t off, void *buf,
                    unsigned len)
{
    IsmState *s = f->model_state;

    if (bar != ISM_BAR_CMD) {
        sim_reject(f, "ism_load", EIO, "load from ISM data space",
                   "\"bar\": %d, \"offset\": %llu, \"len\": %u", bar,
                   (unsigned long long)off, len);
        return -EIO;
    }
    memcpy(buf, s->cmd + off, len);
    return 0;
}

static int ism_cmd_write(SimFunction *f, uint64_t off, const void *buf,
                         unsigned len)
{
    IsmState *s = f->model_state;

    memcpy(s->cmd + off, buf, len);
    if (off == 0 && len >= 8) {
        ism_command(f);
    }
    return 0;
}

static int ism_store(SimFunction *f, int bar, uint64_t off, const void *buf,
                     unsigned len)
{
    if (bar != ISM_BAR_CMD) {
        sim_reject(f, "ism_store", EIO, "PCI Store to ISM data space",
                   "\"bar\": %d, \"offset\": %llu, \"len\": %u", bar,
                   (unsigned long long)off, len);
        return -EIO;
    }
    return ism_cmd_write(f, off, buf, len);
}

static void move_reject(SimFunction *f, const char *why, uint64_t off,
                        unsigned len)
{
    sim_reject(f, "ism_move", EIO, why,
               "\"bar\": 0, \"offset\": %llu, \"len\": %u",
               (unsigned long long)off, len);
}

/*
 * Deliver a move into the DMB its offset names, if that DMB is in this
 * process: the checks an ISM makes, the write into the owner's memory
 * through the owner's DMA map and, with the signal flag, the owner's SBA
 * bits and MSI.  Also called by the fabric for moves from other
 * processes (fabric.h); the caller holds the simulator lock.
 */
int sim_ism_deliver(uint64_t from_gid, const char *from, uint64_t off,
                    const void *buf, unsigned len, SimFunction **to,
                    const char **why)
{
    uint64_t token = off & ISM_TOKEN_MASK;
    unsigned idx = (off >> 24) & 0xff;
    bool sf = (off >> 23) & 1;
    uint32_t doff = off & (ISM_DMB_MAX_LEN - 1);
    SimFunction *dst;
    IsmState *ds;
    IsmDmb *d;
    uint8_t b0, bits, mask[2];
    char hex[65] = "";
    uint64_t a;

    *to = NULL;
    d = ism_dmbs ? g_hash_table_lookup(ism_dmbs, &token) : NULL;
    if (!d || off >= (1ULL << 48)) {
        *why = "unknown DMB token";
        return -EIO;
    }
    *to = d->owner;
    if (SIM_CHECK("ism-dmb-bounds", (uint64_t)doff + len > d->len)) {
        *why = "move beyond the end of the DMB";
        return -EIO;
    }
    if (SIM_CHECK("ism-dmb-rgid", d->rgid && d->rgid != from_gid)) {
        *why = "DMB registered for another GID";
        return -EIO;
    }
    dst = d->owner;
    if (!sim_dma_rw(dst, d->iova + doff, (void *)buf, len, true)) {
        *why = "DMA address not mapped";
        return -EIO;
    }
    if (sim.log_ops) {
        sim_digest(buf, len, hex);
    }
    sim_log(dst, "dmb_write", "\"token\": %llu, \"offset\": %u, "
            "\"len\": %u, \"sf\": %d, \"from\": \"%s\", \"sha256\": \"%s\"",
            (unsigned long long)token, doff, len, sf, from, hex);
    if (!sf) {
        return 0;
    }
    ds = dst->model_state;
    ds->signals++;
    if (ds->sba_valid) {
        a = ds->sba + ISM_SBA_DMB_BITS + d->sba_idx / 8;
        if (sim_dma_rw(dst, a, &bits, 1, false)) {
            bits |= 0x80 >> (d->sba_idx % 8);
            sim_dma_rw(dst, a, &bits, 1, true);
        }
        a = ds->sba + ISM_SBA_DMBE_MASK + 2 * d->sba_idx;
        if (idx < 16 && sim_dma_rw(dst, a, mask, 2, false)) {
            sim_stw_be(mask, sim_lduw_be(mask) | (0x8000 >> idx));
            sim_dma_rw(dst, a, mask, 2, true);
        }
        if (sim_dma_rw(dst, ds->sba, &b0, 1, false)) {
            b0 |= ISM_SBA_SUMMARY;
            sim_dma_rw(dst, ds->sba, &b0, 1, true);
        }
    }
    sim_irq_raise(dst, VFIO_PCI_MSI_IRQ_INDEX, 0);
    return 0;
}

/*
 * SIGNAL_IEQ to a function of this process: an event in its queue and,
 * if asked, its MSI.  Also called by the fabric (fabric.h).
 */
int sim_ism_signal(uint64_t from_gid, uint64_t gid, uint32_t code,
                   uint64_t info, bool trigger, SimFunction **to,
                   const char **why)
{
    SimFunction *peer = ism_by_gid(gid);

    *to = peer;
    if (!peer) {
        *why = "remote GID unknown";
        return -EIO;
    }
    if (!ism_post_event(peer, ISM_EVENT_SWR, code, from_gid, info)) {
        *why = "remote has no usable event queue";
        return -EIO;
    }
    if (trigger) {
        sim_irq_raise(peer, VFIO_PCI_MSI_IRQ_INDEX, 0);
    }
    return 0;
}

/*
 * A data move: one block into the DMB named by the offset, in this
 * process or, on an ISM fabric, in the process its token names.
 */
static int ism_move(SimFunction *f, uint64_t off, const void *buf,
                    unsigned len)
{
    uint64_t token = off & ISM_TOKEN_MASK;
    SimFunction *to;
    const char *why = NULL;
    char fwhy[96];
    int ret;

    if (sim_fabric_enabled() && off < (1ULL << 48) &&
        !(ism_dmbs && g_hash_table_lookup(ism_dmbs, &token))) {
        ret = sim_fabric_move(f, off, buf, len, fwhy, sizeof(fwhy));
        why = fwhy;
    } else {
        ret = sim_ism_deliver(f->ism_gid, f->name, off, buf, len, &to,
                              &why);
    }
    if (ret) {
        move_reject(f, why, off, len);
        return ret;
    }
    ((IsmState *)f->model_state)->moves++;
    return 0;
}

static int ism_block(SimFunction *f, int bar, uint64_t off, const void *buf,
                     unsigned len)
{
    if (bar == ISM_BAR_DATA) {
        return ism_move(f, off, buf, len);
    }
    if (bar == ISM_BAR_CMD) {
        return ism_cmd_write(f, off, buf, len);
    }
    return -EINVAL;
}

static void ism_dump(SimFunction *f, GString *out)
{
    IsmState *s = f->model_state;
    GHashTableIter it;
    gpointer k, v;
    bool first = true;

    g_string_append_printf(out, "\"gid\": \"0x%llx\", "
                           "\"sba\": \"0x%llx\", \"ieq\": \"0x%llx\", "
                           "\"commands\": %u, \"moves\": %u, "
                           "\"signals\": %u, \"events\": %u, "
                           "\"vlan_required\": %s, \"dmbs\": [",
                           (unsigned long long)f->ism_gid,
                           (unsigned long long)(s->sba_valid ? s->sba : 0),
                           (unsigned long long)(s->ieq_valid ? s->ieq : 0),
                           s->commands, s->moves, s->signals, s->events,
                           s->vlan_required ? "true" : "false");
    g_hash_table_iter_init(&it, ism_dmbs);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        IsmDmb *d = v;

        if (d->owner != f) {
            continue;
        }
        g_string_append_printf(out, "%s{\"token\": %llu, \"iova\": \"0x%llx\", "
                               "\"len\": %u, \"sba_idx\": %u}",
                               first ? "" : ", ",
                               (unsigned long long)d->token,
                               (unsigned long long)d->iova, d->len,
                               d->sba_idx);
        first = false;
    }
    g_string_append_c(out, ']');
    sim_fabric_dump(f, out);
}

const SimModel sim_model_ism = {
    .name = "ism",
    .defaults = ism_defaults,
    .realize = ism_realize,
    .load = ism_load,
    .store = ism_store,
    .block = ism_block,
    .reset = ism_reset,
    .dump_state = ism_dump,
};
