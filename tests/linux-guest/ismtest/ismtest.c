/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * ismtest: move data between two ISM functions through the ism driver's ops.
 *
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Loaded by the test initramfs once the ism driver has probed two ISM
 * functions.  It reaches each function's smcd_dev (the object the ism
 * driver registers with SMC) as the child device that smcd_register_dev()
 * added under the PCI device, cross-checks it against the PCI driver's
 * drvdata, and then drives the smcd_ops the driver exports to SMC:
 * query_remote_gid, register_dmb, move_data (with and without the signal
 * flag) and unregister_dmb.  Interrupt delivery is observed with kprobes on
 * the ism driver's interrupt handler and on smcd_handle_irq(), which the
 * handler calls for every DMB bit it finds set in its status block.
 *
 * With mode=after-error the host fails the first PCI instruction that
 * reaches function A after its probe with a PCI error: the module issues
 * that instruction (query_remote_gid on A), waits until the guest kernel
 * has handled the error event that follows (A in permanent failure, as
 * the ism driver cannot recover), and then checks that B still moves
 * data: 4 KiB with the signal flag from B into a DMB of B's own.
 *
 * Every result is one kernel log line "ismtest: ok - NAME" or
 * "ismtest: not ok - NAME: DETAIL"; the last line is
 * "ismtest: done N checks, F failed".  The /init script relays them.
 */

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/kprobes.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/string.h>
#include <net/smc.h>

#define ISMT_VENDOR_IBM 0x1014
#define ISMT_DEVICE_ISM 0x04ed
#define ISMT_DMB_LEN    4096
#define ISMT_IRQ_WAIT_MS 5000
#define ISMT_ERR_WAIT_MS 20000

static char *mode = "pair";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "pair (default): A moves data to B; after-error: "
                 "a PCI error on A first, then B moves data to itself");

struct ismt_fn {
    const char *tag;
    struct pci_dev *pdev;
    struct device *child;
    struct smcd_dev *smcd;
};

static int ismt_checks;
static int ismt_failures;

/* What the kprobes saw; written in interrupt context, read after polling. */
static atomic_t ismt_handler_hits = ATOMIC_INIT(0);
static void *ismt_handler_data;
static atomic_t ismt_smcd_irq_hits = ATOMIC_INIT(0);
static struct smcd_dev *ismt_smcd_irq_dev;
static unsigned long ismt_smcd_irq_dmbno;

static __printf(3, 4) bool ismt_check(bool ok, const char *name,
                                      const char *fmt, ...)
{
    char detail[160];
    va_list ap;

    ismt_checks++;
    if (ok) {
        pr_info("ismtest: ok - %s\n", name);
        return true;
    }
    ismt_failures++;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    pr_info("ismtest: not ok - %s: %s\n", name, detail);
    return false;
}

/*
 * The s390 ABI passes the first arguments in r2, r3, ...  (The kernel's
 * regs_get_kernel_argument() needs regs_get_register(), not exported.)
 */
static int ismt_handler_pre(struct kprobe *p, struct pt_regs *regs)
{
    /* irqreturn_t ism_handle_irq(int irq, void *data) */
    ismt_handler_data = (void *)regs->gprs[3];
    atomic_inc(&ismt_handler_hits);
    return 0;
}

static int ismt_smcd_irq_pre(struct kprobe *p, struct pt_regs *regs)
{
    /* void smcd_handle_irq(struct smcd_dev *, unsigned int dmbno, u16) */
    ismt_smcd_irq_dev = (struct smcd_dev *)regs->gprs[2];
    ismt_smcd_irq_dmbno = regs->gprs[3] & 0xffffffffUL;
    atomic_inc(&ismt_smcd_irq_hits);
    return 0;
}

static struct kprobe ismt_kp_handler = {
    .symbol_name = "ism_handle_irq",
    .pre_handler = ismt_handler_pre,
};

static struct kprobe ismt_kp_smcd_irq = {
    .symbol_name = "smcd_handle_irq",
    .pre_handler = ismt_smcd_irq_pre,
};

/*
 * smcd_alloc_dev() names the smcd device after its parent PCI device and
 * gives it no bus, class or type; smcd_register_dev() device_add()s it.
 */
static int ismt_match_smcd(struct device *dev, void *data)
{
    struct pci_dev *pdev = data;

    return !dev->bus && !dev->class && !dev->type &&
           !strcmp(dev_name(dev), pci_name(pdev));
}

static bool ismt_find_smcd(struct ismt_fn *fn)
{
    char name[64];
    void *drvdata = dev_get_drvdata(&fn->pdev->dev);

    snprintf(name, sizeof(name), "%s smcd_dev found", fn->tag);
    fn->child = device_find_child(&fn->pdev->dev, fn->pdev,
                                  ismt_match_smcd);
    if (!ismt_check(fn->child != NULL, name,
                    "no child device %s under the PCI device",
                    pci_name(fn->pdev))) {
        return false;
    }
    fn->smcd = container_of(fn->child, struct smcd_dev, dev);
    /* The ism driver sets both smcd->priv and drvdata to its ism_dev. */
    snprintf(name, sizeof(name), "%s smcd_dev belongs to the ism driver",
             fn->tag);
    return ismt_check(drvdata && fn->smcd->priv == drvdata &&
                      fn->smcd->ops && fn->smcd->ops->move_data &&
                      fn->smcd->ops->register_dmb &&
                      fn->smcd->ops->unregister_dmb &&
                      fn->smcd->ops->query_remote_gid,
                      name, "priv %px drvdata %px ops %px",
                      fn->smcd->priv, drvdata, fn->smcd->ops);
}

static void ismt_fill(u8 *buf, size_t len, u8 seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = (u8)(seed + i * 7 + (i >> 8));
    }
}

static long ismt_first_diff(const u8 *a, const u8 *b, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (a[i] != b[i]) {
            return i;
        }
    }
    return -1;
}

static void ismt_print_gids(struct ismt_fn *a, struct ismt_fn *b)
{
    pr_info("ismtest: A %s gid 0x%016llx, B %s gid 0x%016llx\n",
            pci_name(a->pdev), a->smcd->local_gid,
            pci_name(b->pdev), b->smcd->local_gid);
    ismt_check(a->smcd->local_gid != 0 && b->smcd->local_gid != 0,
               "local gids read", "A 0x%llx B 0x%llx",
               a->smcd->local_gid, b->smcd->local_gid);
    ismt_check(a->smcd->local_gid != b->smcd->local_gid,
               "local gids differ", "both 0x%llx", a->smcd->local_gid);
}

static void ismt_kprobes_on(bool *kp_handler, bool *kp_smcd)
{
    int rc;

    rc = register_kprobe(&ismt_kp_handler);
    *kp_handler = ismt_check(rc == 0, "kprobe on ism_handle_irq", "rc %d",
                             rc);
    rc = register_kprobe(&ismt_kp_smcd_irq);
    *kp_smcd = ismt_check(rc == 0, "kprobe on smcd_handle_irq", "rc %d",
                          rc);
}

/*
 * After a move with the signal flag into @dmb of @b: wait for b's
 * interrupt, check what the kprobes saw, then remove them.
 */
static void ismt_check_irq(struct ismt_fn *b, struct smcd_dmb *dmb,
                           bool kp_handler, bool kp_smcd)
{
    int waited;

    for (waited = 0; waited < ISMT_IRQ_WAIT_MS; waited += 10) {
        if ((!kp_handler || atomic_read(&ismt_handler_hits)) &&
            (!kp_smcd || atomic_read(&ismt_smcd_irq_hits))) {
            break;
        }
        msleep(10);
    }
    if (kp_handler) {
        ismt_check(atomic_read(&ismt_handler_hits) > 0 &&
                   ismt_handler_data == dev_get_drvdata(&b->pdev->dev),
                   "B interrupt handler ran",
                   "%d hits in %d ms, last data %px, B's ism_dev %px",
                   atomic_read(&ismt_handler_hits), waited,
                   ismt_handler_data, dev_get_drvdata(&b->pdev->dev));
    }
    if (kp_smcd) {
        ismt_check(atomic_read(&ismt_smcd_irq_hits) > 0 &&
                   ismt_smcd_irq_dev == b->smcd &&
                   ismt_smcd_irq_dmbno == dmb->sba_idx,
                   "B handler reported the DMB to smc",
                   "%d hits in %d ms, last smcd %px (B %px) dmbno %lu "
                   "(want %u)", atomic_read(&ismt_smcd_irq_hits), waited,
                   ismt_smcd_irq_dev, b->smcd, ismt_smcd_irq_dmbno,
                   dmb->sba_idx);
    }
    pr_info("ismtest: irq after %d ms: handler hits %d, smcd_handle_irq "
            "hits %d\n", waited, atomic_read(&ismt_handler_hits),
            atomic_read(&ismt_smcd_irq_hits));
    if (kp_handler) {
        unregister_kprobe(&ismt_kp_handler);
    }
    if (kp_smcd) {
        unregister_kprobe(&ismt_kp_smcd_irq);
    }
}

/* Register a 4 KiB DMB on @b that accepts moves from @rgid. */
static bool ismt_register_dmb(struct ismt_fn *b, struct smcd_dmb *dmb,
                              u64 rgid, const char *name)
{
    int rc;

    memset(dmb, 0, sizeof(*dmb));
    dmb->dmb_len = ISMT_DMB_LEN;
    dmb->rgid = rgid;
    rc = b->smcd->ops->register_dmb(b->smcd, dmb);
    if (!ismt_check(rc == 0 && dmb->dmb_tok && dmb->cpu_addr, name,
                    "rc %d token 0x%llx cpu_addr %px",
                    rc, dmb->dmb_tok, dmb->cpu_addr)) {
        return false;
    }
    pr_info("ismtest: B dmb token 0x%016llx sba_idx %u len %u\n",
            dmb->dmb_tok, dmb->sba_idx, dmb->dmb_len);
    memset(dmb->cpu_addr, 0, ISMT_DMB_LEN);
    return true;
}

static void ismt_check_arrived(const u8 *buf, const u8 *dst, size_t len,
                               const char *name)
{
    long diff = ismt_first_diff(buf, dst, len);

    ismt_check(diff < 0, name, "byte %ld differs: 0x%02x != 0x%02x", diff,
               diff < 0 ? 0 : dst[diff], diff < 0 ? 0 : buf[diff]);
}

/* mode=pair: A moves data into a DMB of B. */
/*
 * One page with the signal flag from `from` into B's DMB (one 4 KiB PCI
 * Store Block): the bytes must arrive and B's interrupt handler report the
 * DMB; then B unregisters the DMB and buf (a page) is freed.
 */
static void ismt_signal_move(struct ismt_fn *from, struct ismt_fn *b,
                             struct smcd_dmb *dmb, u8 *buf, u8 fill,
                             const char *name)
{
    bool kp_handler, kp_smcd;
    int rc;

    ismt_kprobes_on(&kp_handler, &kp_smcd);
    ismt_fill(buf, PAGE_SIZE, fill);
    rc = from->smcd->ops->move_data(from->smcd, dmb->dmb_tok, 0, true, 0,
                                    buf, PAGE_SIZE);
    ismt_check(rc == 0, name, "rc %d", rc);
    ismt_check_arrived(buf, dmb->cpu_addr, PAGE_SIZE,
                       "4096 bytes arrived in B's DMB");
    ismt_check_irq(b, dmb, kp_handler, kp_smcd);

    rc = b->smcd->ops->unregister_dmb(b->smcd, dmb);
    ismt_check(rc == 0, "B unregister_dmb", "rc %d", rc);
    free_page((unsigned long)buf);
}

static void ismt_run(struct ismt_fn *a, struct ismt_fn *b)
{
    struct smcd_dmb dmb;
    u8 *buf;
    int rc;

    ismt_print_gids(a, b);

    rc = a->smcd->ops->query_remote_gid(a->smcd, b->smcd->local_gid, 0, 0);
    ismt_check(rc == 0, "A query_remote_gid(B)", "rc %d", rc);

    buf = (u8 *)__get_free_page(GFP_KERNEL);
    if (!ismt_check(buf != NULL, "source page allocated", "no memory")) {
        return;
    }
    if (!ismt_register_dmb(b, &dmb, a->smcd->local_gid, "B register_dmb")) {
        free_page((unsigned long)buf);
        return;
    }

    /* 8 bytes, no signal: one 8-byte PCI Store Block (relaxed length). */
    ismt_fill(buf, 8, 0x5a);
    rc = a->smcd->ops->move_data(a->smcd, dmb.dmb_tok, 0, false, 0, buf, 8);
    ismt_check(rc == 0, "A move_data 8 bytes to B", "rc %d", rc);
    ismt_check_arrived(buf, dmb.cpu_addr, 8, "8 bytes arrived in B's DMB");

    /* 4 KiB with the signal flag: one 4 KiB PCI Store Block. */
    ismt_signal_move(a, b, &dmb, buf, 0xa5,
                     "A move_data 4096 bytes with signal to B");
}

/*
 * mode=after-error: the host fails A's next PCI instruction with a PCI
 * error; issue it, let the guest kernel handle the error event, then B
 * moves data into a DMB of its own.
 */
static void ismt_run_after_error(struct ismt_fn *a, struct ismt_fn *b)
{
    struct smcd_dmb dmb;
    u8 *buf;
    int rc, waited;

    ismt_print_gids(a, b);

    /*
     * QUERY_RGID: its first PCI Store Block (the request body) is the
     * instruction the host fails; the header and the response loads that
     * follow fail too, so the driver keeps its ISM_ERROR answer.
     */
    rc = a->smcd->ops->query_remote_gid(a->smcd, b->smcd->local_gid, 0, 0);
    ismt_check(rc != 0, "A query_remote_gid(B) fails on the PCI error",
               "rc %d", rc);

    /*
     * The error event reaches the guest kernel through a machine check
     * and is handled by the kernel's crw thread; the ism driver has no
     * error handler, so the kernel ends with the function in permanent
     * failure (arch/s390/pci/pci_event.c).
     */
    for (waited = 0; waited < ISMT_ERR_WAIT_MS; waited += 10) {
        if (a->pdev->error_state == pci_channel_io_perm_failure) {
            break;
        }
        msleep(10);
    }
    pr_info("ismtest: A error_state %d after %d ms\n",
            (__force int)a->pdev->error_state, waited);
    ismt_check(a->pdev->error_state == pci_channel_io_perm_failure,
               "A in permanent failure after the error event",
               "error_state %d after %d ms",
               (__force int)a->pdev->error_state, waited);
    ismt_check(b->pdev->error_state == pci_channel_io_normal,
               "B error_state normal", "error_state %d",
               (__force int)b->pdev->error_state);

    buf = (u8 *)__get_free_page(GFP_KERNEL);
    if (!ismt_check(buf != NULL, "source page allocated", "no memory")) {
        return;
    }
    if (!ismt_register_dmb(b, &dmb, b->smcd->local_gid,
                           "B register_dmb for itself")) {
        free_page((unsigned long)buf);
        return;
    }
    /* 4 KiB with the signal flag from B into B's DMB: one PCI Store Block */
    ismt_signal_move(b, b, &dmb, buf, 0x3c,
                     "B move_data 4096 bytes with signal to itself");
}

static int __init ismt_init(void)
{
    struct ismt_fn fns[2] = { { .tag = "A" }, { .tag = "B" } };
    struct pci_dev *pdev = NULL;
    bool after_error = !strcmp(mode, "after-error");
    int n = 0, i;

    if (!after_error && strcmp(mode, "pair")) {
        pr_info("ismtest: unknown mode %s\n", mode);
        return -EINVAL;
    }
    pr_info("ismtest: mode %s\n", mode);
    while ((pdev = pci_get_device(ISMT_VENDOR_IBM, ISMT_DEVICE_ISM,
                                  pdev)) != NULL) {
        if (!pdev->driver || strcmp(pdev->driver->name, "ism")) {
            pr_info("ismtest: %s is not bound to ism\n", pci_name(pdev));
            continue;
        }
        if (n < 2) {
            fns[n++].pdev = pci_dev_get(pdev);
        }
    }
    if (ismt_check(n == 2, "two functions bound to ism", "found %d", n) &&
        ismt_find_smcd(&fns[0]) && ismt_find_smcd(&fns[1])) {
        if (after_error) {
            ismt_run_after_error(&fns[0], &fns[1]);
        } else {
            ismt_run(&fns[0], &fns[1]);
        }
    }
    for (i = 0; i < n; i++) {
        if (fns[i].child) {
            put_device(fns[i].child);
        }
        pci_dev_put(fns[i].pdev);
    }
    pr_info("ismtest: done %d checks, %d failed\n", ismt_checks,
            ismt_failures);
    return 0;
}

static void __exit ismt_exit(void)
{
}

module_init(ismt_init);
module_exit(ismt_exit);
MODULE_DESCRIPTION("ISM data movement test through the ism driver's ops");
MODULE_LICENSE("GPL");
