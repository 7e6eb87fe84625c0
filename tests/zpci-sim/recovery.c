/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: PCI error events of the host, Linux 7.3's mediated recovery
 * and VFIO_DEVICE_FEATURE (with VFIO_DEVICE_FEATURE_ZPCI_ERROR).
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The rules, read in Linux 7.3 (docs/zpci-sim.rst, "Mediated recovery"):
 *
 * - drivers/vfio/pci/vfio_pci_zdev.c vfio_pci_zdev_open_device() calls
 *   zpci_start_mediated_recovery() when the device is opened through
 *   vfio; vfio_pci_zdev_close_device() calls zpci_stop_mediated_recovery(),
 *   which clears the whole pending queue (arch/s390/pci/pci_event.c).
 * - __zpci_event_error() (pci_event.c) switches on the CCDF's PEC: 0x2a,
 *   0x2b, 0x2c (the event concerns the FMB) are ignored; 0x40 and 0x3b go
 *   to zpci_event_io_failure() (permanent failure: the CCDF is stored,
 *   the driver's error_detected is called); every other PEC to
 *   zpci_event_attempt_error_recovery(), which stores the CCDF
 *   (zpci_store_pci_error()), calls error_detected and, when the store
 *   succeeded or failed only because ZPCI_ERR_PENDING_MAX (4) CCDFs are
 *   already pending, leaves the function in the error state ("Leaving
 *   recovery of pass-through device to user-space").  The bound driver's
 *   error_detected is vfio_pci_core_aer_err_detected(): it signals the
 *   ERR eventfd if one is registered and answers CAN_RECOVER.
 * - Without mediated recovery (Linux 7.2, or a 7.3 function not opened
 *   through vfio) zpci_store_pci_error() stores nothing and, after
 *   error_detected, zpci_event_do_error_state_clear() unblocks loads,
 *   stores and DMA: the host recovers the function itself.  PEC 0x40 and
 *   0x3b are a permanent failure that nobody recovers.
 * - zpci_get_pending_error() hands out the oldest CCDF and removes it, or
 *   answers -ENOMSG; vfio_pci_zdev_feature_err() checks the feature
 *   flags and argsz (vfio_check_feature(), GET only), -EINVAL for data
 *   0, then dequeues and copies the 32 bytes to data (-EFAULT: the CCDF
 *   is lost, it was dequeued first).
 * - vfio_ioctl_device_feature() (drivers/vfio/vfio_main.c) checks the
 *   header first: argsz covers argsz and flags, no unknown flag bit, GET
 *   and SET only together with PROBE; an unknown feature is -ENOTTY.
 *
 * The error state entered by an event lasts until VFIO_DEVICE_RESET (the
 * host's function reset), or until the device is closed or opened again
 * (vfio_pci_core_disable() and vfio_pci_core_enable() reset the
 * function); a reset does not touch the pending queue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/vfio.h>

#include "zpci-sim.h"

/* struct zpci_ccdf_err, big-endian as s390 stores it; 0 but these */
static void ccdf_build(uint8_t *c, SimFunction *f, uint16_t pec,
                       uint64_t faddr)
{
    memset(c, 0, SIM_CCDF_ERR_LEN);
    sim_stl_be(c + 4, f->fh);           /* after u32 reserved1 */
    sim_stl_be(c + 8, f->fid);
    /* c + 12: ett:4 mvn:12 dmaas:8 reserved2:6 q:1 rw:1, all 0 */
    sim_stq_be(c + 16, faddr);
    /* c + 24: u32 reserved3, c + 28: u16 reserved4 */
    sim_stw_be(c + 30, pec);
}

static void ccdf_hex(const uint8_t *c, char hex[2 * SIM_CCDF_ERR_LEN + 1])
{
    unsigned i;

    for (i = 0; i < SIM_CCDF_ERR_LEN; i++) {
        g_snprintf(hex + 2 * i, 3, "%02x", c[i]);
    }
}

static void queue_clear(SimFunction *f)
{
    g_queue_clear_full(f->pending_errs, g_free);
}

/* vfio_pci_core_aer_err_detected(): the ERR eventfd, if registered */
static void signal_err(SimFunction *f)
{
    if (f->irq_fd[VFIO_PCI_ERR_IRQ_INDEX][0] >= 0 &&
        sim_irq_raise(f, VFIO_PCI_ERR_IRQ_INDEX, 0)) {
        f->rec.signals++;
    }
}

/* One CCDF arriving for the function: __zpci_event_error() */
static void error_event(SimFunction *f, uint16_t pec, uint64_t faddr)
{
    uint8_t ccdf[SIM_CCDF_ERR_LEN];
    char hex[2 * SIM_CCDF_ERR_LEN + 1];
    bool perm = pec == 0x40 || pec == 0x3b;
    const char *action;

    ccdf_build(ccdf, f, pec, faddr);
    ccdf_hex(ccdf, hex);
    f->rec.events++;
    if (SIM_CHECK("err-fmb-ignored", pec >= 0x2a && pec <= 0x2c)) {
        f->rec.ignored++;
        sim_log(f, "error_event", "\"pec\": %u, \"faddr\": %llu, "
                "\"ccdf\": \"%s\", \"action\": \"ignored\", \"pending\": %u",
                pec, (unsigned long long)faddr, hex,
                g_queue_get_length(f->pending_errs));
        return;
    }
    if (f->mediated_recovery) {
        /* zpci_store_pci_error(): -ENOMEM when full, still mediated */
        if (SIM_CHECK("err-pending-max", g_queue_get_length(f->pending_errs)
                                         >= SIM_ERR_PENDING_MAX)) {
            f->rec.dropped++;
            action = "dropped";
        } else {
            g_queue_push_tail(f->pending_errs,
                              g_memdup2(ccdf, SIM_CCDF_ERR_LEN));
            f->rec.queued++;
            action = "queued";
        }
        f->err_blocked = true;
    } else if (perm || f->perm_failure) {
        /* zpci_event_io_failure(): nobody recovers the function */
        f->err_blocked = true;
        action = "perm-failure";
    } else {
        /* zpci_event_do_error_state_clear(): the host recovers */
        f->err_blocked = false;
        f->rec.host_recovered++;
        action = "host-recovered";
    }
    if (perm) {
        f->perm_failure = true;
    }
    sim_log(f, "error_event", "\"pec\": %u, \"faddr\": %llu, \"ccdf\": "
            "\"%s\", \"action\": \"%s\", \"pending\": %u", pec,
            (unsigned long long)faddr, hex, action,
            g_queue_get_length(f->pending_errs));
    /* error_detected is called in every one of these cases */
    signal_err(f);
}

/* Injection moment i: inject_count CCDFs, each one error event */
static void inject(SimFunction *f, unsigned i, const char *trigger,
                   const char *op)
{
    unsigned k;

    f->inject_fired[i] = true;
    sim_log(f, "inject", "\"trigger\": \"%s\", \"at_op\": %llu, \"what\": "
            "\"%s\", \"pec\": %u, \"faddr\": %llu, \"count\": %u", trigger,
            (unsigned long long)(op ? f->data_ops : 0), op ? op : "",
            f->inject_pec[i], (unsigned long long)f->inject_faddr[i],
            f->inject_count);
    for (k = 0; k < f->inject_count; k++) {
        error_event(f, f->inject_pec[i],
                    f->inject_faddr[i] + k * f->inject_faddr_step);
    }
}

/*
 * Called for every PCI instruction that reaches the function (after its
 * own program-exception checks): counts it and returns true when it is
 * an injection moment (the instruction then fails with EIO).
 */
bool sim_recovery_op(SimFunction *f, const char *op, int bar, uint64_t off,
                     unsigned len)
{
    bool hit = false;
    unsigned i;

    f->data_ops++;
    if (f->inject_at_ms) {
        return false;
    }
    for (i = 0; i < f->inject_n; i++) {
        if (!f->inject_fired[i] && f->inject_ops[i] == f->data_ops) {
            inject(f, i, "after-ops", op);
            hit = true;
        }
    }
    return hit;
}

typedef struct SimTimer {
    SimFunction *f;
    unsigned gen;
} SimTimer;

/* inject-at-ms: fires unless the device was closed meanwhile */
static gpointer timer_main(gpointer opaque)
{
    SimTimer *t = opaque;
    SimFunction *f = t->f;

    g_usleep(f->inject_at_ms * 1000);
    g_rec_mutex_lock(&sim.lock);
    if (f->open_gen == t->gen && f->device_fd >= 0 && !f->inject_fired[0]) {
        inject(f, 0, "at-ms", NULL);
        sim_flush();
    }
    g_rec_mutex_unlock(&sim.lock);
    g_free(t);
    return NULL;
}

/* vfio_pci_core_enable(): function reset, then vfio_pci_zdev_open_device() */
void sim_recovery_open(SimFunction *f)
{
    SimTimer *t;

    f->open_gen++;
    f->err_blocked = false;
    f->perm_failure = false;
    if (f->mediated_recovery_cfg) {
        f->mediated_recovery = true;
        sim_log(f, "mediated_recovery", "\"action\": \"start\"");
    }
    if (f->inject_at_ms && f->inject_n && !f->inject_fired[0]) {
        t = g_new0(SimTimer, 1);
        t->f = f;
        t->gen = f->open_gen;
        g_thread_unref(g_thread_new("zpci-sim-inject", timer_main, t));
    }
}

/* vfio_pci_core_disable(): vfio_pci_zdev_close_device(), function reset */
void sim_recovery_close(SimFunction *f)
{
    unsigned n = g_queue_get_length(f->pending_errs);

    if (f->mediated_recovery) {
        f->mediated_recovery = false;
        queue_clear(f);
        sim_log(f, "mediated_recovery", "\"action\": \"stop\", "
                "\"discarded\": %u", n);
    }
    f->err_blocked = false;
    f->perm_failure = false;
}

/* VFIO_DEVICE_RESET: the error state ends, the pending CCDFs stay */
void sim_recovery_reset(SimFunction *f)
{
    f->err_blocked = false;
    f->perm_failure = false;
    f->rec.resets++;
}

bool sim_in_error_state(SimFunction *f)
{
    return f->error_state || f->err_blocked;
}

static bool user_buf_ok(uint64_t addr, size_t len)
{
    uint64_t start = addr & ~(SIM_PAGE_SIZE - 1);
    uint64_t end = (addr + len + SIM_PAGE_SIZE - 1) & ~(SIM_PAGE_SIZE - 1);
    unsigned char vec[2];

    return addr + len > addr && end - start <= 2 * SIM_PAGE_SIZE &&
           mincore((void *)(uintptr_t)start, end - start, vec) == 0;
}

static int feature_reject(SimFunction *f, uint32_t flags, uint32_t argsz,
                          int err, const char *why)
{
    sim_reject(f, "feature", err, why, "\"feature\": %u, \"flags\": %u, "
               "\"argsz\": %u", flags & VFIO_DEVICE_FEATURE_MASK, flags,
               argsz);
    return -err;
}

/* vfio_pci_zdev_feature_err() */
static int zpci_err_feature(SimFunction *f, uint32_t flags, uint32_t argsz,
                            const void *data, size_t dsz)
{
    uint32_t getset = flags & (VFIO_DEVICE_FEATURE_GET |
                               VFIO_DEVICE_FEATURE_SET);
    char hex[2 * SIM_CCDF_ERR_LEN + 1];
    uint8_t *ccdf;
    uint64_t addr;

    /* vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_GET, 8) */
    if (SIM_CHECK("feature-flags", getset & ~VFIO_DEVICE_FEATURE_GET)) {
        return feature_reject(f, flags, argsz, EINVAL, "ZPCI_ERROR "
                              "supports GET only");
    }
    if (flags & VFIO_DEVICE_FEATURE_PROBE) {
        sim_log(f, "feature", "\"feature\": %u, \"flags\": %u, \"probe\": "
                "true, \"result\": 0", SIM_FEATURE_ZPCI_ERROR, flags);
        return 0;
    }
    if (SIM_CHECK("feature-flags", !getset)) {
        return feature_reject(f, flags, argsz, EINVAL, "neither GET nor "
                              "SET nor PROBE");
    }
    if (SIM_CHECK("feature-argsz", dsz < sizeof(addr))) {
        return feature_reject(f, flags, argsz, EINVAL, "argsz too small "
                              "for struct vfio_device_feature_zpci_err");
    }
    memcpy(&addr, data, sizeof(addr));
    if (SIM_CHECK("zpci-err-data", addr == 0)) {
        return feature_reject(f, flags, argsz, EINVAL, "ZPCI_ERROR GET "
                              "with data 0");
    }
    /* zpci_get_pending_error(): the oldest, removed */
    ccdf = g_queue_pop_head(f->pending_errs);
    if (!ccdf) {
        sim_log(f, "feature", "\"feature\": %u, \"flags\": %u, \"result\": "
                "\"ENOMSG\", \"pending\": 0", SIM_FEATURE_ZPCI_ERROR, flags);
        return -ENOMSG;
    }
    ccdf_hex(ccdf, hex);
    if (!user_buf_ok(addr, SIM_CCDF_ERR_LEN)) {
        sim_reject(f, "feature", EFAULT, "ZPCI_ERROR data not mapped in "
                   "the process: the CCDF is lost", "\"feature\": %u, "
                   "\"flags\": %u, \"data\": %llu, \"ccdf\": \"%s\"",
                   SIM_FEATURE_ZPCI_ERROR, flags, (unsigned long long)addr,
                   hex);
        g_free(ccdf);
        return -EFAULT;
    }
    memcpy((void *)(uintptr_t)addr, ccdf, SIM_CCDF_ERR_LEN);
    f->rec.feature_reads++;
    sim_log(f, "feature", "\"feature\": %u, \"flags\": %u, \"result\": 0, "
            "\"pec\": %u, \"faddr\": %llu, \"ccdf\": \"%s\", \"pending\": %u",
            SIM_FEATURE_ZPCI_ERROR, flags, sim_lduw_be(ccdf + 30),
            (unsigned long long)sim_ldq_be(ccdf + 16), hex,
            g_queue_get_length(f->pending_errs));
    g_free(ccdf);
    return 0;
}

/*
 * VFIO_DEVICE_FEATURE: vfio_ioctl_device_feature()'s header checks, then
 * the features this host has.  No migration, no dirty tracking, no low
 * power or VF token (none is modelled): ENOTTY like a kernel without them.
 */
int sim_device_feature(SimFunction *f, void *arg)
{
    struct vfio_device_feature *feat = arg;
    size_t minsz = offsetof(struct vfio_device_feature, data);
    uint32_t flags = feat->flags, feature = flags & VFIO_DEVICE_FEATURE_MASK;
    uint32_t known = VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_GET |
                     VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PROBE;

    if (SIM_CHECK("feature-argsz", feat->argsz < minsz)) {
        return feature_reject(f, flags, feat->argsz, EINVAL, "argsz below "
                              "struct vfio_device_feature");
    }
    if (SIM_CHECK("feature-flags", flags & ~known)) {
        return feature_reject(f, flags, feat->argsz, EINVAL, "unknown "
                              "feature flag bits");
    }
    if (SIM_CHECK("feature-flags", !(flags & VFIO_DEVICE_FEATURE_PROBE) &&
                                   (flags & VFIO_DEVICE_FEATURE_GET) &&
                                   (flags & VFIO_DEVICE_FEATURE_SET))) {
        return feature_reject(f, flags, feat->argsz, EINVAL, "GET and SET "
                              "together without PROBE");
    }
    if (feature == SIM_FEATURE_ZPCI_ERROR &&
        !SIM_CHECK("zpci-err-feature", !f->zpci_err_feature)) {
        return zpci_err_feature(f, flags, feat->argsz, feat->data,
                                feat->argsz - minsz);
    }
    /* A query answered "no", not a refused operation */
    sim_log(f, "feature", "\"feature\": %u, \"flags\": %u, \"result\": "
            "\"ENOTTY\"", feature, flags);
    return -ENOTTY;
}

/* The members of the function's "recovery" JSON object */
void sim_recovery_dump(SimFunction *f, GString *out)
{
    char hex[2 * SIM_CCDF_ERR_LEN + 1];
    GList *l;

    g_string_append_printf(out, "\"mediated_recovery\": %s, "
                           "\"error_state\": %s, \"pending\": %u, "
                           "\"pending_ccdfs\": [",
                           f->mediated_recovery ? "true" : "false",
                           sim_in_error_state(f) ? "true" : "false",
                           g_queue_get_length(f->pending_errs));
    for (l = f->pending_errs->head; l; l = l->next) {
        ccdf_hex(l->data, hex);
        g_string_append_printf(out, "%s\"%s\"", l->prev ? ", " : "", hex);
    }
    g_string_append_printf(out, "], \"data_ops\": %llu, \"events\": %llu, "
                           "\"queued\": %llu, \"dropped\": %llu, "
                           "\"ignored\": %llu, \"host_recovered\": %llu, "
                           "\"signals\": %llu, \"feature_reads\": %llu, "
                           "\"resets\": %llu",
                           (unsigned long long)f->data_ops,
                           (unsigned long long)f->rec.events,
                           (unsigned long long)f->rec.queued,
                           (unsigned long long)f->rec.dropped,
                           (unsigned long long)f->rec.ignored,
                           (unsigned long long)f->rec.host_recovered,
                           (unsigned long long)f->rec.signals,
                           (unsigned long long)f->rec.feature_reads,
                           (unsigned long long)f->rec.resets);
}
