/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim self test: drives the simulator through /dev/vfio directly,
 * as QEMU would, and checks every host behaviour and refusal.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Run with LD_PRELOAD=libzpci-sim.so and ZPCI_SIM_CONFIG=selftest.ini
 * (written by run-tests).  Prints "ok - name" / "not ok - name" lines that
 * run-tests numbers into TAP; JSON-side checks are done by run-tests.
 *
 * Each refusal check also performs the nearest legal neighbour and
 * expects it to succeed, so that removing the simulator's check (or
 * breaking the legal path) makes the test fail; run-tests builds one
 * library per SIM_CHECK of the simulator with that check removed and
 * expects a "not ok" here for each.
 *
 * Expected values come from the kernel source (cited where they are
 * used) and from the facts each [function] section of the config states
 * (read here with GKeyFile), never from the simulator's code.
 *
 * "sim-selftest caps" checks only the capability chains and region lists
 * of the functions named cap-*, for a second config with another
 * [simulator] host=.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vfio_zdev.h>
#include <glib.h>

#define PAGE 4096ULL

static int failures;

static void check(bool ok, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void check(bool ok, const char *fmt, ...)
{
    va_list ap;

    printf("%s - ", ok ? "ok" : "not ok");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    failures += !ok;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
    va_list ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* errno of a call that returned -1, or 0 if it succeeded */
#define ERR(call) ((call) < 0 ? errno : 0)

typedef struct Dev {
    const char *name;
    int fd;
    unsigned shift;             /* region offset = index << shift */
    int num_regions;
} Dev;

static uint64_t roff(Dev *d, unsigned idx)
{
    return (uint64_t)idx << d->shift;
}

static int container_new(void)
{
    int c = open("/dev/vfio/vfio", O_RDWR);

    if (c < 0) {
        perror("open /dev/vfio/vfio");
        exit(2);
    }
    return c;
}

static int group_attach(int c, int id)
{
    char path[64];
    int g;

    snprintf(path, sizeof(path), "/dev/vfio/%d", id);
    g = open(path, O_RDWR);
    if (g < 0 || ioctl(g, VFIO_GROUP_SET_CONTAINER, &c) != 0) {
        fprintf(stderr, "cannot attach group %d: %s\n", id, strerror(errno));
        exit(2);
    }
    return g;
}

static Dev dev_open(int g, const char *name, unsigned shift)
{
    Dev d = { .name = name, .shift = shift };
    struct vfio_device_info info = { .argsz = sizeof(info) };

    d.fd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, name);
    if (d.fd < 0) {
        fprintf(stderr, "cannot get device %s: %s\n", name, strerror(errno));
        exit(2);
    }
    ioctl(d.fd, VFIO_DEVICE_GET_INFO, &info);
    d.num_regions = info.num_regions;
    return d;
}

static int dma_map(int c, uint64_t iova, void *va, uint64_t size)
{
    struct vfio_iommu_type1_dma_map m = {
        .argsz = sizeof(m),
        .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
        .vaddr = (uintptr_t)va, .iova = iova, .size = size,
    };

    return ioctl(c, VFIO_IOMMU_MAP_DMA, &m);
}

static int dma_unmap(int c, uint64_t iova, uint64_t size)
{
    struct vfio_iommu_type1_dma_unmap u = {
        .argsz = sizeof(u), .iova = iova, .size = size,
    };

    return ioctl(c, VFIO_IOMMU_UNMAP_DMA, &u);
}

static void *pages(size_t n)
{
    void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        exit(2);
    }
    return p;
}

/* ---- capability chain ---- */

static void *find_cap(void *info, uint32_t first, uint16_t id)
{
    uint32_t off = first;
    int guard = 0;

    while (off && guard++ < 16) {
        struct vfio_info_cap_header *h = (void *)((char *)info + off);

        if (h->id == id) {
            return h;
        }
        off = h->next;
    }
    return NULL;
}


/* BASE v3 layout of Linux 7.3 (uapi vfio_zdev.h): ccdf_err_length */
struct base_v3 {
    struct vfio_info_cap_header header;
    uint64_t start_dma, end_dma;
    uint16_t pchid, vfn, fmb_length;
    uint8_t pft, gid;
    uint32_t fh;
    uint32_t ccdf_err_length;
};

/* VFIO_DEVICE_FEATURE_ZPCI_ERROR (Linux 7.3 include/uapi/linux/vfio.h) */
#define FEATURE_ZPCI_ERROR  13


static int region_info(Dev *d, unsigned idx, struct vfio_region_info **out)
{
    struct vfio_region_info *ri = calloc(1, 256);

    ri->argsz = sizeof(*ri);
    ri->index = idx;
    if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, ri) != 0) {
        free(ri);
        return errno;
    }
    if (ri->argsz > sizeof(*ri)) {
        uint32_t sz = ri->argsz;

        memset(ri, 0, 256);
        ri->argsz = sz;
        ri->index = idx;
        if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, ri) != 0) {
            free(ri);
            return errno;
        }
    }
    *out = ri;
    return 0;
}


/* ---- what each host profile reports, from the kernel source ---- */

/*
 * Written from the kernel source, not from the simulator.  Per profile:
 *
 * base_version  drivers/vfio/pci/vfio_pci_zdev.c zpci_base_cap():
 *               .header.version = 2 in Linux 7.2; 3 in Linux 7.3, with
 *               .ccdf_err_length = sizeof(struct zpci_ccdf_err) = 32
 *               (arch/s390/include/asm/pci.h: 4 u32, a u64, u32, 2 u16,
 *               packed) after fh.  The 2021 series and ours sit on 7.3.
 * relaxed_flag  Linux 7.2 zpci_group_cap(): .flags =
 *               VFIO_DEVICE_INFO_ZPCI_FLAG_REFRESH and nothing else; the
 *               2021 series ("vfio-pci/zdev: Pass the relaxed alignment
 *               flag") adds VFIO_DEVICE_INFO_ZPCI_FLAG_RELAXED (2) when
 *               zdev->relaxed_align.
 * group_maxstbl zpci_group_cap(): .maxstbl = ZPCI_MAX_WRITE_SIZE
 *               (arch/s390/include/asm/pci_io.h: 128), .imaxstbl =
 *               zdev->maxstbl, in every profile (the series changes
 *               neither).
 * region        none in Linux 7.2; the 2021 series' vfio_pci_zdev_io_init()
 *               registers VFIO_REGION_TYPE_PCI_VENDOR_TYPE | IBM (0x1014),
 *               subtype VFIO_REGION_SUBTYPE_IBM_ZPCI_IO (2), size
 *               sizeof(struct vfio_region_zpci_io) = 48, READ|WRITE, with
 *               hdr.flags = 0 and hdr.max = zdev->maxstbl; ours sets
 *               hdr.flags bit value 1 (STORE) and, for a function with
 *               MIO, bit value 2 (ABI page sections 3 and 4).
 * err_all       drivers/vfio/pci/vfio_pci_core.c vfio_pci_get_irq_count():
 *               ERR count 1 only if pci_is_pcie() in 7.2, 1 for every
 *               function in 7.3; vfio_pci_ioctl_get_irq_info() refuses
 *               the ERR index with EINVAL where 7.2 has no count.
 * zpci_err      vfio_pci_core_ioctl_feature(): 7.3 dispatches
 *               VFIO_DEVICE_FEATURE_ZPCI_ERROR (13) to
 *               vfio_pci_zdev_feature_err() (GET only, so a PROBE of GET
 *               answers 0); 7.2 answers ENOTTY.
 * ism_stb       kernel/0004 ism_vfio_pci_add_stb_cap(): every implemented
 *               BAR region of ism_vfio_pci carries
 *               VFIO_REGION_INFO_CAP_ZPCI_STB (6), version 1, flags 0,
 *               max_len zdev->maxstbl, as the only capability of the
 *               chain (cap_offset 32, next 0, REGION_INFO_FLAG_CAPS); no
 *               kernel release has it, the RFC series (extended) does.
 */
typedef struct HostRule {
    const char *name;
    unsigned base_version;
    bool relaxed_flag;
    unsigned group_maxstbl;     /* 0: the function's own maxstbl */
    int region;                 /* 0 none, 1 the 2021 region, 2 + STORE */
    bool err_all;               /* ERR irq index for non-PCIe functions */
    bool zpci_err;              /* VFIO_DEVICE_FEATURE_ZPCI_ERROR */
    bool ism_stb;               /* ism_vfio_pci's CAP_ZPCI_STB on BARs */
} HostRule;

static const HostRule host_rules[] = {
    { "linux-7.3", 3, false, 128, 0, true, true, false },
    { "linux", 2, false, 128, 0, false, false, false },
    { "linux-7.2", 2, false, 128, 0, false, false, false },
    { "zio-2021", 3, true, 128, 1, true, true, false },
    { "extended", 3, true, 128, 2, true, true, true },
};

/*
 * Chain layout: vfio_info_cap_add() (drivers/vfio/vfio_main.c) appends
 * each capability at the end, ALIGN(size, 8), in the order
 * vfio_pci_info_zdev_add_caps() adds them: BASE, GROUP, UTIL (only if
 * zdev->util_str_avail), PFIP; vfio_pci_ioctl_get_info() puts the chain
 * after the 24-byte struct vfio_device_info.  Sizes: BASE 36 bytes of
 * fields, padded to 40 (u64 members); GROUP 42 -> 48; UTIL 12 +
 * CLP_UTIL_STR_LEN (64) -> 80; PFIP 12 + CLP_PFIP_NR_SEGMENTS (4) -> 16.
 */
#define INFO_HDR    24
#define BASE_SZ     40
#define GROUP_SZ    48
#define UTIL_SZ     80
#define PFIP_SZ     16

/* The facts of a function as its [function] section states them */
typedef struct Facts {
    const char *name;
    const HostRule *rule;
    bool ok;                    /* every needed fact was given */
    bool ismd;                  /* driver=ism_vfio_pci */
    uint64_t start_dma, end_dma, msi_addr, dasm;
    unsigned pchid, vfn, fmb_length, pft, gid, fh, noi, mui, maxstbl;
    unsigned pci_version, pfip;
    bool relaxed, mio, pcie;
    char util[65];
    /* host-side overrides, -1: not given */
    int o_region, o_base, o_refresh, o_relaxed, o_gmax;
} Facts;

static GKeyFile *ini;

static const HostRule *rule_named(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(host_rules) / sizeof(host_rules[0]); i++) {
        if (name && strcmp(host_rules[i].name, name) == 0) {
            return &host_rules[i];
        }
    }
    return NULL;
}

static uint64_t fact_num(Facts *F, const char *grp, const char *key)
{
    gchar *s = g_key_file_get_string(ini, grp, key, NULL);
    uint64_t v;

    if (!s) {
        note("%s: fact %s not given in the config", F->name, key);
        F->ok = false;
        return 0;
    }
    v = g_ascii_strtoull(s, NULL, 0);
    g_free(s);
    return v;
}

static bool fact_bool(Facts *F, const char *grp, const char *key)
{
    GError *e = NULL;
    bool b = g_key_file_get_boolean(ini, grp, key, &e);

    if (e) {
        note("%s: fact %s not given in the config", F->name, key);
        F->ok = false;
        g_error_free(e);
    }
    return b;
}

static int opt_num(const char *grp, const char *key)
{
    gchar *s = g_key_file_get_string(ini, grp, key, NULL);
    int v;

    if (!s) {
        return -1;
    }
    if (strcmp(s, "absent") == 0) {
        v = 0;
    } else if (strcmp(s, "present") == 0) {
        v = 1;
    } else if (strcmp(s, "store") == 0) {
        v = 2;
    } else if (strcmp(s, "true") == 0) {
        v = 1;
    } else if (strcmp(s, "false") == 0) {
        v = 0;
    } else {
        v = g_ascii_strtoull(s, NULL, 0);
    }
    g_free(s);
    return v;
}

/*
 * The profile of a function: its own host= key, else [simulator]
 * host=, else linux-7.3 (the default).
 */
static Facts facts_of(const char *name)
{
    char *grp = g_strdup_printf("function %s", name);
    gchar *h = g_key_file_get_string(ini, grp, "host", NULL);
    gchar *u, *d;
    Facts F = { .name = name, .ok = true };

    if (!h) {
        h = g_key_file_get_string(ini, "simulator", "host", NULL);
    }
    F.rule = rule_named(h ? h : "linux-7.3");
    if (!F.rule) {
        note("%s: unknown host %s", name, h);
        F.ok = false;
        F.rule = &host_rules[0];
    }
    g_free(h);
    d = g_key_file_get_string(ini, grp, "driver", NULL);
    F.ismd = d && strcmp(d, "ism_vfio_pci") == 0;
    g_free(d);
    F.start_dma = fact_num(&F, grp, "start-dma");
    F.end_dma = fact_num(&F, grp, "end-dma");
    F.msi_addr = fact_num(&F, grp, "msi-addr");
    F.dasm = fact_num(&F, grp, "dasm");
    F.pchid = fact_num(&F, grp, "pchid");
    F.vfn = fact_num(&F, grp, "vfn");
    F.fmb_length = fact_num(&F, grp, "fmb-length");
    F.pft = fact_num(&F, grp, "pft");
    F.gid = fact_num(&F, grp, "gid");
    F.fh = fact_num(&F, grp, "fh");
    F.noi = fact_num(&F, grp, "noi");
    F.mui = fact_num(&F, grp, "mui");
    F.maxstbl = fact_num(&F, grp, "maxstbl");
    F.pci_version = fact_num(&F, grp, "pci-version");
    F.pfip = fact_num(&F, grp, "pfip");
    F.relaxed = fact_bool(&F, grp, "relaxed");
    F.mio = fact_bool(&F, grp, "mio");
    F.pcie = fact_bool(&F, grp, "pcie");
    u = g_key_file_get_string(ini, grp, "util-str", NULL);
    if (!u) {
        note("%s: fact util-str not given in the config", name);
        F.ok = false;
    } else {
        g_strlcpy(F.util, u, sizeof(F.util));
    }
    g_free(u);
    F.o_region = opt_num(grp, "region");
    F.o_base = opt_num(grp, "base-cap-version");
    F.o_refresh = opt_num(grp, "refresh");
    F.o_relaxed = opt_num(grp, "report-relaxed");
    F.o_gmax = opt_num(grp, "group-maxstbl");
    g_free(grp);
    return F;
}

/* EBCDIC (code page 037) of letters, digits and a space */
static uint8_t to_ebcdic(char c)
{
    if (c >= '0' && c <= '9') {
        return 0xf0 + (c - '0');
    }
    if (c >= 'A' && c <= 'I') {
        return 0xc1 + (c - 'A');
    }
    if (c >= 'J' && c <= 'R') {
        return 0xd1 + (c - 'J');
    }
    if (c >= 'S' && c <= 'Z') {
        return 0xe2 + (c - 'S');
    }
    return 0x40;
}

/* Field-by-field check of the capability chain and region list */
static void test_caps_of(Dev *d)
{
    Facts F = facts_of(d->name);
    const HostRule *R = F.rule;
    struct vfio_device_info q = { .argsz = INFO_HDR };
    struct vfio_device_info *info;
    uint8_t *p;
    struct base_v3 *b;
    struct vfio_device_info_cap_zpci_group *g;
    struct vfio_device_info_cap_zpci_util *u;
    struct vfio_device_info_cap_zpci_pfip *pf;
    unsigned base_ver, gflags, gmax, region, nregions, total, util_len, i;
    unsigned g_off = INFO_HDR + BASE_SZ, u_off = g_off + GROUP_SZ, p_off;
    bool has_util, refresh, relaxed_flag, ok;
    uint8_t util[64], pfip[4];
    struct vfio_region_info *ri;
    uint32_t expect_flags;
    unsigned shift = F.ismd ? 48 : 40;
    bool stb_ok = true;
    int e;

    check(F.ok, "%s: every fact of the function is stated in its section",
          d->name);
    /* What this host reports: the profile, then the function's keys */
    base_ver = F.o_base >= 0 ? (unsigned)F.o_base : R->base_version;
    refresh = F.o_refresh >= 0 ? F.o_refresh : true;
    relaxed_flag = F.o_relaxed >= 0 ? F.o_relaxed : R->relaxed_flag;
    gmax = F.o_gmax >= 0 ? (unsigned)F.o_gmax : R->group_maxstbl;
    gmax = gmax ? gmax : F.maxstbl;
    region = F.o_region >= 0 ? (unsigned)F.o_region : (unsigned)R->region;
    region = F.ismd ? 0 : region;   /* ism_vfio_pci: config + BARs only */
    gflags = (refresh ? 1 : 0) | (relaxed_flag && F.relaxed ? 2 : 0);
    util_len = strlen(F.util);
    has_util = util_len > 0;
    p_off = has_util ? u_off + UTIL_SZ : u_off;
    total = p_off + PFIP_SZ;
    nregions = region ? 10 : 9;
    memset(util, 0x40, sizeof(util));
    for (i = 0; i < util_len; i++) {
        util[i] = to_ebcdic(F.util[i]);
    }
    pfip[0] = F.pfip >> 24;
    pfip[1] = F.pfip >> 16;
    pfip[2] = F.pfip >> 8;
    pfip[3] = F.pfip;

    /* The size query: argsz grows, no chain yet */
    e = ioctl(d->fd, VFIO_DEVICE_GET_INFO, &q);
    check(e == 0 && q.argsz == total &&
          q.cap_offset == 0 && q.num_regions == nregions &&
          q.num_irqs == 5 && q.flags == (VFIO_DEVICE_FLAGS_PCI |
                                         VFIO_DEVICE_FLAGS_RESET |
                                         VFIO_DEVICE_FLAGS_CAPS),
          "%s [%s]: size query: argsz %u (want %u), %u regions (want %u), "
          "flags 0x%x", d->name, R->name, q.argsz, total, q.num_regions,
          nregions, q.flags);
    info = calloc(1, total);
    info->argsz = total;
    if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, info) != 0) {
        check(false, "%s: VFIO_DEVICE_GET_INFO with the full size",
              d->name);
        free(info);
        return;
    }
    p = (uint8_t *)info;
    b = (void *)(p + INFO_HDR);
    g = (void *)(p + g_off);
    u = (void *)(p + u_off);
    pf = (void *)(p + p_off);
    check(info->cap_offset == INFO_HDR &&
          b->header.id == VFIO_DEVICE_INFO_CAP_ZPCI_BASE &&
          b->header.next == g_off &&
          g->header.id == VFIO_DEVICE_INFO_CAP_ZPCI_GROUP &&
          g->header.next == (has_util ? u_off : p_off) &&
          (!has_util || (u->header.id == VFIO_DEVICE_INFO_CAP_ZPCI_UTIL &&
                         u->header.next == p_off)) &&
          pf->header.id == VFIO_DEVICE_INFO_CAP_ZPCI_PFIP &&
          pf->header.next == 0,
          "%s [%s]: chain BASE@%u GROUP@%u %sPFIP@%u, nothing after",
          d->name, R->name, INFO_HDR, g_off, has_util ? "UTIL " : "",
          p_off);
    check(b->header.version == base_ver && b->start_dma == F.start_dma &&
          b->end_dma == F.end_dma && b->pchid == F.pchid &&
          b->vfn == F.vfn && b->fmb_length == F.fmb_length &&
          b->pft == F.pft && b->gid == F.gid && b->fh == F.fh,
          "%s [%s]: BASE v%u (want %u) dma 0x%llx-0x%llx pchid 0x%x vfn %u "
          "fmb %u pft %u gid 0x%x fh 0x%x", d->name, R->name,
          b->header.version, base_ver, (unsigned long long)b->start_dma,
          (unsigned long long)b->end_dma, b->pchid, b->vfn, b->fmb_length,
          b->pft, b->gid, b->fh);
    /* v2: bytes 36..39 are tail padding (zero); v3: ccdf_err_length */
    check(b->ccdf_err_length == (base_ver >= 3 ? 32U : 0U),
          "%s [%s]: BASE word after fh %u (v3: ccdf_err_length 32, v2: "
          "padding 0)", d->name, R->name, b->ccdf_err_length);
    check(g->header.version == 2 && g->dasm == F.dasm &&
          g->msi_addr == F.msi_addr && g->flags == gflags &&
          g->mui == F.mui && g->noi == F.noi && g->maxstbl == gmax &&
          g->version == F.pci_version && g->reserved == 0 &&
          g->imaxstbl == F.maxstbl,
          "%s [%s]: GROUP v%u flags 0x%llx (want 0x%x) maxstbl %u (want %u) "
          "imaxstbl %u (want %u) mui %u noi %u", d->name, R->name,
          g->header.version, (unsigned long long)g->flags, gflags,
          g->maxstbl, gmax, g->imaxstbl, F.maxstbl, g->mui, g->noi);
    if (has_util) {
        check(u->header.version == 1 && u->size == 64 &&
              memcmp(u->util_str, util, 64) == 0,
              "%s [%s]: UTIL v1, 64 bytes of EBCDIC \"%s\"", d->name,
              R->name, F.util);
    }
    check(pf->header.version == 1 && pf->size == 4 &&
          memcmp(pf->pfip, pfip, 4) == 0,
          "%s [%s]: PFIP v1, 4 bytes 0x%08x", d->name, R->name, F.pfip);
    free(info);

    /* The ERR irq index and the ZPCI_ERROR feature of this host */
    {
        struct vfio_irq_info ii = { .argsz = sizeof(ii),
                                    .index = VFIO_PCI_ERR_IRQ_INDEX };
        struct {
            struct vfio_device_feature h;
            uint64_t data;
        } ft = { .h.argsz = sizeof(ft),
                 .h.flags = FEATURE_ZPCI_ERROR | VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_PROBE };
        bool err = R->err_all || F.pcie;
        int ie = ERR(ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
        int fe = ERR(ioctl(d->fd, VFIO_DEVICE_FEATURE, &ft));

        check(err ? ie == 0 && ii.count == 1 : ie == EINVAL,
              "%s [%s]: ERR irq index %s", d->name, R->name,
              err ? "count 1" : "EINVAL (7.2, not PCI Express)");
        check(fe == (R->zpci_err ? 0 : ENOTTY),
              "%s [%s]: PROBE of ZPCI_ERROR GET: %s", d->name, R->name,
              R->zpci_err ? "0" : "ENOTTY");
    }

    /* Region list: BARs, ROM, config, VGA, the zPCI I/O region */
    ok = true;
    for (i = 0; i < 6; i++) {
        uint8_t bar[4] = { 0 }, ones[4] = { 0xff, 0xff, 0xff, 0xff };
        uint64_t sz;
        uint32_t reg;

        if (region_info(d, i, &ri) != 0) {
            ok = false;
            continue;
        }
        sz = ri->size;
        /* BAR sizing through config space agrees with the region size */
        if (pwrite(d->fd, ones, 4, roff(d, 7) + 0x10 + 4 * i) != 4 ||
            pread(d->fd, bar, 4, roff(d, 7) + 0x10 + 4 * i) != 4) {
            ok = false;
        }
        reg = bar[0] | bar[1] << 8 | bar[2] << 16 | (uint32_t)bar[3] << 24;
        ok &= ri->offset == (uint64_t)i << shift &&
              (sz == 0 || (reg & ~0xfU) == ((uint32_t)~(sz - 1) & ~0xfU));
        if (sz && F.ismd && R->ism_stb) {
            struct stb_cap {
                struct vfio_info_cap_header header;
                uint32_t flags;
                uint16_t max_len;
                uint16_t reserved;
            } *c = find_cap(ri, ri->cap_offset, 6);

            stb_ok &= ri->flags == (3U | VFIO_REGION_INFO_FLAG_CAPS) &&
                      ri->cap_offset == sizeof(*ri) && ri->argsz == 48 &&
                      c && c->header.version == 1 && c->header.next == 0 &&
                      c->flags == 0 && c->max_len == F.maxstbl &&
                      c->reserved == 0;
        } else {
            ok &= ri->flags == (sz ? 3U : 0U) && ri->cap_offset == 0;
        }
        free(ri);
    }
    check(ok, "%s [%s]: BARs 0-5 at index << %u, READ|WRITE when "
          "implemented, never mmap-able", d->name, R->name, shift);
    if (F.ismd) {
        check(stb_ok, "%s [%s]: ism_vfio_pci BARs %s", d->name, R->name,
              R->ism_stb ? "carry CAP_ZPCI_STB v1, max_len = maxstbl, "
              "alone in the chain" : "carry no capability");
    }
    if (F.ismd) {
        check(region_info(d, 6, &ri) == EINVAL &&
              region_info(d, 8, &ri) == EINVAL &&
              region_info(d, 9, &ri) == EINVAL,
              "%s [%s]: ism_vfio_pci: no region 6, 8, 9", d->name, R->name);
    } else {
        check(region_info(d, 6, &ri) == 0 && ri->size == 0 &&
              ri->flags == 0 && ri->offset == 6ULL << 40 &&
              region_info(d, 8, &ri) == EINVAL,
              "%s [%s]: ROM region empty, no VGA region", d->name, R->name);
    }
    check(region_info(d, 7, &ri) == 0 &&
          ri->size == (F.pcie ? 4096U : 256U) && ri->flags == 3 &&
          ri->offset == 7ULL << shift,
          "%s [%s]: config region, %u bytes", d->name, R->name,
          F.pcie ? 4096 : 256);
    if (!region) {
        check(F.ismd || region_info(d, 9, &ri) == EINVAL,
              "%s [%s]: no zPCI I/O region", d->name, R->name);
        return;
    }
    expect_flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
                   VFIO_REGION_INFO_FLAG_CAPS;
    if (region_info(d, 9, &ri) == 0) {
        struct vfio_region_info_cap_type *ct =
            find_cap(ri, ri->cap_offset, VFIO_REGION_INFO_CAP_TYPE);
        struct { uint64_t flags; uint16_t max, r1; uint32_t r2; } hdr;

        check(ct && ct->header.version == 1 && ct->header.next == 0 &&
              ct->type == 0x80001014 && ct->subtype == 2 &&
              ri->size == 48 && ri->flags == expect_flags &&
              ri->offset == 9ULL << 40 && region_info(d, 10, &ri) == EINVAL,
              "%s [%s]: region 9: type 0x80001014 subtype 2, 48 bytes, "
              "READ|WRITE|CAPS; no region 10", d->name, R->name);
        unsigned want = (region == 2 ? 1U : 0U) |
                        (!F.mio && strcmp(R->name, "extended") == 0 ? 2U :
                         0U);

        memset(&hdr, 0xaa, sizeof(hdr));
        e = pread(d->fd, &hdr, 16, roff(d, 9));
        check(e == 16 && hdr.flags == want &&
              hdr.max == F.maxstbl && hdr.r1 == 0 && hdr.r2 == 0,
              "%s [%s]: region header flags %llu (want %u: STORE, NO_MIO), "
              "max %u (want %u)", d->name, R->name,
              (unsigned long long)hdr.flags, want, hdr.max, F.maxstbl);
    } else {
        check(false, "%s [%s]: region 9 exists", d->name, R->name);
    }
}

/* ---- zPCI I/O region (2021 series semantics, plus our STORE) ---- */

struct zio_req {
    uint64_t flags, gaddr, offset;
    uint32_t reserved;
    uint16_t len;
    uint8_t pcias, reserved2;
};

#define ZREAD   1
#define ZBLOCK  2
#define ZSTORE  4

static int zio_raw(Dev *d, const struct zio_req *r)
{
    ssize_t n = pwrite(d->fd, r, sizeof(*r), roff(d, 9) + 16);

    if (n == sizeof(*r)) {
        return 0;
    }
    return n < 0 ? errno : -1;
}

static int zio(Dev *d, uint64_t flags, uint8_t pcias, uint64_t off,
               void *buf, uint16_t len)
{
    struct zio_req r = {
        .flags = flags, .gaddr = (uintptr_t)buf, .offset = off, .len = len,
        .pcias = pcias,
    };

    return zio_raw(d, &r);
}

/* Command register of a function (config space offset 4) */
static bool set_cmd(Dev *d, uint16_t cmd)
{
    return pwrite(d->fd, &cmd, 2, roff(d, 7) + 4) == 2;
}

static void test_zio(Dev *nic, Dev *nicp, Dev *msid)
{
    struct { uint64_t flags; uint16_t max, r1; uint32_t r2; } hdr;
    struct zio_req r;
    uint8_t *buf = pages(2), *gone = pages(1);
    uint8_t back[16];
    static const uint8_t be[8] = { 0x11, 0x22, 0x33, 0x44,
                                   0x55, 0x66, 0x77, 0x88 };

    munmap(gone, PAGE);

    /* Reads: header only (EFAULT past it), EINVAL at the end */
    check(pread(nic->fd, &hdr, 16, roff(nic, 9)) == 16 && hdr.flags == 1 &&
          hdr.max == 128 && pread(nic->fd, back, 4, roff(nic, 9) + 12) == 4,
          "zio: the 16-byte header (STORE; no NO_MIO: the nic has MIO) and "
          "its last 4 bytes are readable");
    check(ERR(pread(nic->fd, back, 8, roff(nic, 9) + 16)) == EFAULT &&
          ERR(pread(nic->fd, back, 8, roff(nic, 9) + 12)) == EFAULT,
          "zio: reading the request area (or into it) is EFAULT");
    check(ERR(pread(nic->fd, back, 1, roff(nic, 9) + 48)) == EINVAL &&
          ERR(pwrite(nic->fd, back, 1, roff(nic, 9) + 48)) == EINVAL,
          "zio: access at the region's end is EINVAL");

    /* STORE: the rightmost len bytes of the big-endian u64 at gaddr */
    memcpy(buf, be, 8);
    check(zio(nic, ZSTORE, 0, 0x40, buf, 4) == 0 &&
          pread(nic->fd, back, 4, roff(nic, 0) + 0x40) == 4 &&
          memcmp(back, be + 4, 4) == 0,
          "zio STORE of 4 bytes sends bytes 4..7 of the u64 at gaddr");
    check(zio(nic, ZSTORE, 0, 0x47, buf, 1) == 0 &&
          pread(nic->fd, back, 1, roff(nic, 0) + 0x47) == 1 &&
          back[0] == 0x88, "zio STORE of 1 byte sends byte 7");
    /* READ: all 8 bytes at gaddr written, data right-justified */
    memset(buf, 0xaa, 16);
    check(zio(nic, ZREAD, 0, 0x40, buf, 4) == 0 && buf[0] == 0 &&
          buf[3] == 0 && memcmp(buf + 4, be + 4, 4) == 0 &&
          buf[8] == 0xaa,
          "zio READ of 4 bytes: u64 at gaddr = 0000 0000 5566 7788");
    memset(buf, 0xaa, 16);
    check(zio(nic, ZREAD, 0, 0x42, buf, 2) == 0 && buf[0] == 0 &&
          buf[5] == 0 && buf[6] == 0x77 && buf[7] == 0x88,
          "zio READ of 2 bytes at 0x42: u64 = 0...0 7788");

    /* Writes below the request area: EFAULT; at 16: performed */
    memset(&r, 0, sizeof(r));
    memcpy(buf, "mailbox!", 8);
    r.flags = ZSTORE;
    r.gaddr = (uintptr_t)buf;
    r.len = 8;
    check(ERR(pwrite(nic->fd, &r, sizeof(r), roff(nic, 9) + 8)) == EFAULT &&
          pwrite(nic->fd, &r, sizeof(r), roff(nic, 9) + 16) == sizeof(r) &&
          pread(nic->fd, back, 8, roff(nic, 0)) == 8 &&
          memcmp(back, "mailbox!", 8) == 0,
          "zio: request below offset 16 is EFAULT, at 16 performed");
    /* The request area persists: rewriting only offset repeats the op */
    r.offset = 0x100;
    check(pwrite(nic->fd, &r.offset, 8, roff(nic, 9) + 32) == 8 &&
          pread(nic->fd, back, 8, roff(nic, 0) + 0x100) == 8 &&
          memcmp(back, "mailbox!", 8) == 0,
          "zio: a partial write performs the stored request (new offset)");

    /* STORE without the STORE bit (zio-2021 host) */
    check(zio(nicp, ZSTORE, 0, 0, buf, 8) == EIO &&
          zio(nic, ZSTORE, 0, 0, buf, 8) == 0,
          "zio: STORE refused without the STORE bit, accepted with it");
    /* No operation, unknown flags, two operations */
    check(zio(nic, 0, 0, 0, buf, 8) == EIO &&
          zio(nic, 0x100 | ZREAD, 0, 0, buf, 8) == EIO &&
          zio(nic, ZREAD | ZBLOCK, 0, 0, buf, 8) == EIO &&
          zio(nic, ZREAD, 0, 0, buf, 8) == 0,
          "zio: no, unknown or two operations refused, READ ok");
    r.flags = ZREAD;
    r.offset = 0;
    r.reserved = 1;
    check(zio_raw(nic, &r) == EIO && (r.reserved = 0, r.reserved2 = 1,
                                      zio_raw(nic, &r) == EIO) &&
          (r.reserved2 = 0, zio_raw(nic, &r) == 0),
          "zio: non-zero reserved fields refused");

    /* READ length and doubleword crossing (the instruction's rule) */
    check(zio(nic, ZREAD, 0, 0, buf, 9) == EIO &&
          zio(nic, ZREAD, 0, 4, buf, 8) == EIO &&
          zio(nic, ZREAD, 0, 4, buf, 4) == 0,
          "zio: READ of 9 bytes / across a doubleword refused, 4 at 4 ok");
    /* BLOCKW longer than max vs == max (strict function, aligned) */
    check(zio(nic, ZBLOCK, 0, 0, buf, 136) == EIO &&
          zio(nic, ZBLOCK, 0, 0, buf, 128) == 0,
          "zio: BLOCKW of max+8 refused, of max accepted");
    /* BLOCKW crossing 4 KiB vs ending on it (relaxed msi-dev, max 4096) */
    check(zio(msid, ZBLOCK, 0, 4096 - 64, buf, 72) == EIO &&
          zio(msid, ZBLOCK, 0, 4096 - 64, buf, 64) == 0,
          "zio: BLOCKW crossing 4 KiB refused, ending at 4 KiB accepted");
    /* gaddr alignment, page crossing, mapping */
    check(zio(nic, ZREAD, 0, 0, buf + 4, 4) == EIO &&
          zio(nic, ZREAD, 0, 0, buf + 8, 4) == 0,
          "zio: gaddr not 8-byte aligned refused, aligned accepted");
    check(zio(msid, ZBLOCK, 0, 0, buf + PAGE - 32, 64) == EIO &&
          zio(msid, ZBLOCK, 0, 0, buf + PAGE - 64, 64) == 0 &&
          zio(nic, ZREAD, 0, 0, buf + PAGE - 8, 4) == 0,
          "zio: gaddr buffer crossing a page refused, page end accepted");
    check(zio(nic, ZREAD, 0, 0, gone, 8) == EIO,
          "zio: unmapped gaddr refused");
    /* The address space must be an implemented BAR, the offset in it */
    check(zio(nic, ZREAD, 1, 0, buf, 8) == EIO &&
          zio(nic, ZREAD, 3, 0, buf, 8) == EIO &&
          zio(nic, ZREAD, 6, 0, buf, 8) == EIO &&
          zio(nic, ZREAD, 4, 0, buf, 8) == 0,
          "zio: pcias 1/3/6 (no BAR) refused, BAR 4 accepted");
    check(zio(nic, ZREAD, 0, 4096, buf, 8) == EIO &&
          zio(nic, ZREAD, 0, 4088, buf, 8) == 0,
          "zio: READ beyond BAR 0 refused, its last doubleword ok");

    /* Strict vs relaxed PCI Store Block: the function decides */
    check(zio(nic, ZBLOCK, 0, 0, buf, 8) == EIO &&
          zio(nic, ZBLOCK, 0, 0, buf, 20) == EIO &&
          zio(nic, ZBLOCK, 0, 4, buf, 16) == EIO &&
          zio(nic, ZBLOCK, 0, 8, buf, 16) == 0,
          "strict function: blocks of 8, 20, or at offset 4 fail; 16 at 8 ok");
    check(zio(msid, ZBLOCK, 0, 5, buf, 3) == 0 &&
          zio(msid, ZBLOCK, 0, 8, buf, 8) == 0,
          "relaxed function: blocks of 3 at 5 and 8 at 8 accepted");
}

/* ---- vfio-pci BAR access (vfio_pci_bar_rw, do_io_rw) ---- */

static bool all(const uint8_t *p, uint8_t v, size_t n)
{
    while (n--) {
        if (*p++ != v) {
            return false;
        }
    }
    return true;
}

static void test_bars(Dev *nic, Dev *nomio, Dev *ismv, Dev *errs)
{
    uint8_t buf[64], pat[16];
    int i;

    for (i = 0; i < 16; i++) {
        pat[i] = 0xa0 + i;
    }
    /* Pieces of 8/4/2/1 (the JSON side checks the split) */
    check(pwrite(nic->fd, pat, 16, roff(nic, 0) + 0x200) == 16 &&
          pread(nic->fd, buf, 16, roff(nic, 0) + 0x200) == 16 &&
          memcmp(buf, pat, 16) == 0 &&
          pread(nic->fd, buf, 3, roff(nic, 0) + 0x201) == 3 &&
          memcmp(buf, pat + 1, 3) == 0,
          "vfio-pci: 16 bytes written and read back; 3 at 1 read");
    /* The BAR's end: clipped count; at/after the end or no BAR: EINVAL */
    check(pread(nic->fd, buf, 16, roff(nic, 0) + 4096 - 8) == 8,
          "vfio-pci: a read across the BAR's end returns the 8 bytes in it");
    check(ERR(pread(nic->fd, buf, 8, roff(nic, 0) + 4096)) == EINVAL &&
          ERR(pwrite(nic->fd, buf, 8, roff(nic, 0) + 4096)) == EINVAL &&
          ERR(pread(nic->fd, buf, 8, roff(nic, 1))) == EINVAL &&
          pread(nic->fd, buf, 8, roff(nic, 0) + 4088) == 8,
          "vfio-pci: at the BAR's end or in BAR 1 (none) EINVAL, last 8 ok");

    /* Memory decode off in the command register: EIO, MSI-X table not */
    check(set_cmd(nic, 0x0004) &&
          ERR(pread(nic->fd, buf, 8, roff(nic, 0))) == EIO &&
          ERR(pwrite(nic->fd, pat, 8, roff(nic, 0) + 0x200)) == EIO &&
          pread(nic->fd, buf, 8, roff(nic, 4)) == 8 && all(buf, 0xff, 8) &&
          set_cmd(nic, 0x0006) &&
          pread(nic->fd, buf, 8, roff(nic, 0) + 0x200) == 8 &&
          memcmp(buf, pat, 8) == 0,
          "vfio-pci: memory decode off: BAR access EIO (table reads 0xff); "
          "on again: works");

    /* The MSI-X table (entries * 16 at its offset) and not the PBA */
    check(pwrite(nic->fd, pat, 8, roff(nic, 4) + 0x10) == 8 &&
          pread(nic->fd, buf, 8, roff(nic, 4) + 0x10) == 8 &&
          all(buf, 0xff, 8),
          "vfio-pci: MSI-X table: a write is dropped, a read gives 0xff");
    check(pwrite(nic->fd, pat, 16, roff(nic, 4) + 128) == 16 &&
          pread(nic->fd, buf, 16, roff(nic, 4) + 120) == 16 &&
          all(buf, 0xff, 8) && memcmp(buf + 8, pat, 8) == 0,
          "vfio-pci: past the table's 128 bytes the device answers");
    check(pread(nic->fd, buf, 8, roff(nic, 4) + 0x800) == 8 &&
          all(buf, 0, 8), "vfio-pci: the PBA is read from the device");

    /* No MIO: pieces fail inside the host, the call succeeds */
    memcpy(buf, pat, 8);
    check(zio(nomio, ZSTORE, 0, 0x10, buf, 8) == 0 &&
          pread(nomio->fd, buf, 8, roff(nomio, 0) + 0x10) == 8 &&
          all(buf, 0xff, 8) &&
          pwrite(nomio->fd, "dropped!", 8, roff(nomio, 0) + 0x10) == 8 &&
          zio(nomio, ZREAD, 0, 0x10, buf, 8) == 0 &&
          memcmp(buf, pat, 8) == 0,
          "vfio-pci, function without MIO: reads all-ones, writes dropped");
    /* ISM (non_mappable_bars): no BAR access at all under vfio-pci */
    check(ERR(pread(ismv->fd, buf, 8, roff(ismv, 2))) == ENODEV &&
          ERR(pwrite(ismv->fd, buf, 8, roff(ismv, 2) + 8)) == ENODEV &&
          ERR(pread(ismv->fd, buf, 8, roff(ismv, 2) + 8192)) == EINVAL,
          "vfio-pci, ISM: BAR access ENODEV (after the range check)");
    /* A function in error state: loads all-ones, stores dropped */
    check(pread(errs->fd, buf, 8, roff(errs, 0)) == 8 && all(buf, 0xff, 8) &&
          pwrite(errs->fd, pat, 8, roff(errs, 0)) == 8,
          "vfio-pci, error state: reads all-ones, writes accepted");
}

/* ---- ism_vfio_pci (drivers/vfio/pci/ism/main.c) ---- */

static void test_ismvp(Dev *ismd, Dev *ismsm, Dev *ismx)
{
    uint8_t buf[8192];

    memset(buf, 0, sizeof(buf));
    /* One write is one PCI Store Block: 4 KiB rule and maxstbl */
    check(ERR(pwrite(ismd->fd, buf, 72, roff(ismd, 2) + 4096 - 64)) ==
          EINVAL &&
          pwrite(ismd->fd, buf, 64, roff(ismd, 2) + 4096 - 64) == 64,
          "ism_vfio_pci: BAR write crossing 4 KiB EINVAL, ending on it ok");
    check(ERR(pwrite(ismsm->fd, buf, 264, roff(ismsm, 2) + 0x100)) ==
          EINVAL &&
          pwrite(ismsm->fd, buf, 256, roff(ismsm, 2) + 0x100) == 256,
          "ism_vfio_pci: write longer than maxstbl (256) EINVAL, 256 ok");
    /* No length or alignment rule of the driver; the function decides */
    check(pwrite(ismd->fd, buf, 3, roff(ismd, 2) + 0x105) == 3 &&
          pwrite(ismd->fd, buf, 8, roff(ismd, 2) + 0x108) == 8,
          "ism_vfio_pci: blocks of 3 at 0x105 and 8 at 0x108 (relaxed ISM)");
    check(ERR(pwrite(ismsm->fd, buf, 8, roff(ismsm, 2) + 0x108)) == ENXIO &&
          ERR(pwrite(ismsm->fd, buf, 16, roff(ismsm, 2) + 0x104)) == ENXIO &&
          pwrite(ismsm->fd, buf, 16, roff(ismsm, 2) + 0x108) == 16,
          "ism_vfio_pci, strict function: the instruction refuses blocks "
          "of 8 or at 4 (ENXIO), 16 at 8 ok");
    /* Reads: loads of 8/4/2/1; the BAR's end */
    check(pread(ismd->fd, buf, 16, roff(ismd, 2)) == 16 &&
          pread(ismd->fd, buf, 7, roff(ismd, 2) + 1) == 7,
          "ism_vfio_pci: BAR reads of 16 and of 7 at 1 (split into loads)");
    check(pread(ismd->fd, buf, 16, roff(ismd, 2) + 8192 - 8) == 8 &&
          ERR(pread(ismd->fd, buf, 8, roff(ismd, 2) + 8192)) == EINVAL &&
          ERR(pwrite(ismd->fd, buf, 8, roff(ismd, 2) + 8192)) == EINVAL,
          "ism_vfio_pci: read across the BAR's end clipped to 8; at the "
          "end EINVAL");
    /*
     * A write across the BAR's end: Linux 7.3 performs the part that fits
     * as a shorter block; the RFC series (kernel/0004) refuses it whole.
     */
    check(pwrite(ismd->fd, buf, 16, roff(ismd, 2) + 8192 - 8) == 8,
          "ism_vfio_pci (7.3): write of 16 across the BAR's end performs 8");
    check(ERR(pwrite(ismx->fd, buf, 16, roff(ismx, 2) + 8192 - 8)) ==
          EINVAL &&
          pwrite(ismx->fd, buf, 8, roff(ismx, 2) + 8192 - 8) == 8,
          "ism_vfio_pci (RFC series): write across the BAR's end EINVAL, "
          "8 up to it ok");
    check(pread(ismd->fd, buf, 0, roff(ismd, 6)) == 0 &&
          ERR(pread(ismd->fd, buf, 1, roff(ismd, 6))) == EINVAL &&
          ERR(pread(ismd->fd, buf, 1, roff(ismd, 8))) == EINVAL,
          "ism_vfio_pci: 0 bytes anywhere is 0; regions 6 and 8 EINVAL");
}

/* ---- ISM command protocol (big-endian, as an s390 driver writes it) ---- */

static void be64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = v;
        v >>= 8;
    }
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Returns the response ret, or -errno if the host refused a write */
static int ism_cmd(Dev *d, uint32_t cmd, uint8_t *req, uint16_t len,
                   uint8_t *resp, uint16_t rmax)
{
    uint8_t hdr[8] = { 0 };
    uint64_t cs = roff(d, 2);
    uint16_t rlen;

    be32(hdr, cmd);
    hdr[6] = len >> 8;
    hdr[7] = len;
    if (len > 8 && pwrite(d->fd, req + 8, len - 8, cs + 8) != len - 8) {
        return -errno;
    }
    if (pwrite(d->fd, hdr, 8, cs) != 8) {
        return -errno;
    }
    if (pread(d->fd, resp, 8, cs) != 8) {
        return -errno;
    }
    rlen = resp[6] << 8 | resp[7];
    if (rlen > 8 && rlen <= rmax &&
        pread(d->fd, resp + 8, rlen - 8, cs + 8) != rlen - 8) {
        return -errno;
    }
    return resp[4] << 8 | resp[5];
}

static void set_msi_eventfd(Dev *d, int index, int efd)
{
    char buf[sizeof(struct vfio_irq_set) + 4];
    struct vfio_irq_set *s = (void *)buf;

    s->argsz = sizeof(buf);
    s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    s->index = index;
    s->start = 0;
    s->count = 1;
    memcpy(s->data, &efd, 4);
    if (ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s) != 0) {
        check(false, "%s: SET_IRQS index %d: %s", d->name, index,
              strerror(errno));
    }
}

static uint64_t efd_count(int efd)
{
    uint64_t v = 0;

    if (read(efd, &v, 8) != 8) {
        return 0;
    }
    return v;
}

static void test_ism(int c, Dev *a, Dev *b, Dev *isms)
{
    uint8_t req[64], resp[256];
    uint8_t *mem = pages(16);
    uint64_t iova = 0x200000000ULL, tok_b, tok_a, gid_a, gid_b, off;
    uint8_t *sba_b = mem + PAGE, *dmb_b = mem + 2 * PAGE;
    uint8_t *dmb_a = mem + 4 * PAGE, *ieq_b = mem + 6 * PAGE;
    uint8_t data[256];
    int efd_b = eventfd(0, EFD_NONBLOCK), ret, i;

    /* One mapping of 8 pages; pages 8.. stay unmapped */
    check(dma_map(c, iova, mem, 8 * PAGE) == 0, "DMA map of 8 pages");
    set_msi_eventfd(b, VFIO_PCI_MSI_IRQ_INDEX, efd_b);

    ret = ism_cmd(a, 0x3, req, 8, resp, sizeof(resp));
    gid_a = rd64(resp + 8);
    check(ret == 0 && gid_a != 0, "ism READ_GID (8-byte command block)");
    ism_cmd(b, 0x3, req, 8, resp, sizeof(resp));
    gid_b = rd64(resp + 8);
    check(gid_a != gid_b, "two ism functions have distinct GIDs");

    /* DMA to an unmapped address vs a mapped one */
    be64(req + 8, iova + 9 * PAGE);
    ret = ism_cmd(a, 0x1, req, 16, resp, sizeof(resp));
    check(ret == 0xffff, "REG_SBA at an unmapped DMA address refused "
          "(ret 0x%x)", ret);
    be64(req + 8, iova);
    check(ism_cmd(a, 0x1, req, 16, resp, sizeof(resp)) == 0,
          "REG_SBA at a mapped DMA address accepted");
    be64(req + 8, iova + PAGE);
    check(ism_cmd(b, 0x1, req, 16, resp, sizeof(resp)) == 0,
          "REG_SBA of the second function");
    be64(req + 8, iova + 6 * PAGE);
    be64(req + 16, PAGE);
    check(ism_cmd(b, 0x2, req, 24, resp, sizeof(resp)) == 0,
          "REG_IEQ of the second function");

    /* REG_DMB on b for a as the remote */
    memset(req, 0, sizeof(req));
    be64(req + 8, iova + 2 * PAGE);
    be32(req + 16, 2 * PAGE);
    be32(req + 20, 40);                 /* sba index */
    be64(req + 32, gid_a);
    ret = ism_cmd(b, 0xa, req, 40, resp, sizeof(resp));
    tok_b = rd64(resp + 8);
    check(ret == 0 && tok_b, "REG_DMB returns a token (0x%llx)",
          (unsigned long long)tok_b);
    be64(req + 8, iova + 10 * PAGE);
    check(ism_cmd(a, 0xa, req, 40, resp, sizeof(resp)) == 0xffff,
          "REG_DMB of unmapped memory refused");
    be64(req + 8, iova + 4 * PAGE);
    be32(req + 16, PAGE);
    be32(req + 20, 33);
    be64(req + 32, 0);
    ret = ism_cmd(a, 0xa, req, 40, resp, sizeof(resp));
    tok_a = rd64(resp + 8);
    check(ret == 0 && tok_a != tok_b, "REG_DMB on the first function");

    /* VLAN ids: the reserved 0x1fff is accepted (SMC-Dv2 detection) */
    be64(req + 8, 0x1fff);
    check(ism_cmd(b, 0x4, req, 16, resp, sizeof(resp)) == 0 &&
          ism_cmd(b, 0x4, req, 16, resp, sizeof(resp)) == 0xffff,
          "ADD_VLAN_ID 0x1fff accepted once, refused when known");
    be64(req + 8, 0x2000);
    check(ism_cmd(b, 0x4, req, 16, resp, sizeof(resp)) == 0xffff,
          "ADD_VLAN_ID 0x2000 refused");
    be64(req + 8, 0x1fff);
    check(ism_cmd(b, 0x5, req, 16, resp, sizeof(resp)) == 0 &&
          ism_cmd(b, 0x5, req, 16, resp, sizeof(resp)) == 0xffff,
          "DEL_VLAN_ID of a known id accepted once, then refused");

    /* QUERY_INFO (response longer than 8 bytes) */
    ret = ism_cmd(b, 0x8, req, 8, resp, sizeof(resp));
    check(ret == 0 && rd64(resp + 24) == gid_b && rd64(resp + 32) ==
          iova + PAGE, "QUERY_INFO reports GID and SBA");

    /* Data move a -> b with signal */
    for (i = 0; i < 256; i++) {
        data[i] = i;
    }
    off = tok_b | 1ULL << 24 | 1ULL << 23 | 0x100;
    check(pwrite(a->fd, data, 256, roff(a, 0) + off) == 256 &&
          memcmp(dmb_b + 0x100, data, 256) == 0,
          "ism move a->b: 256 bytes land in b's DMB");
    check((sba_b[0] & 0x80) && (sba_b[4 + 40 / 8] & (0x80 >> (40 % 8))),
          "ism move with signal sets b's summary bit and DMB bit 40");
    check(efd_count(efd_b) == 1, "ism move with signal raises b's MSI");
    check(pwrite(a->fd, data, 8, roff(a, 0) + (tok_b | 0x10)) == 8 &&
          efd_count(efd_b) == 0,
          "ism move without signal: data only, no interrupt");

    /* Unknown token vs known, move beyond the DMB */
    off = (tok_b + (0x77ULL << 32)) | 0x100;
    check(ERR(pwrite(a->fd, data, 64, roff(a, 0) + off)) == EIO &&
          pwrite(a->fd, data, 64, roff(a, 0) + (tok_b | 0x100)) == 64,
          "ism move to an unknown DMB token fails, known token ok");
    check(ERR(pwrite(a->fd, data, 64, roff(a, 0) + (tok_b | (2 * PAGE))))
          == EIO, "ism move beyond the end of the DMB fails");
    /* The DMB of a was registered for any remote; b's only for a */
    check(ERR(pwrite(b->fd, data, 64, roff(b, 0) + (tok_b | 0x100))) == EIO
          && pwrite(b->fd, data, 64, roff(b, 0) + (tok_a | 0x100)) == 64 &&
          memcmp(dmb_a + 0x100, data, 64) == 0,
          "ism move by a GID the DMB is not registered for fails");

    /* DMA to memory that is no longer mapped */
    check(dma_unmap(c, iova, 8 * PAGE) == 0, "DMA unmap");
    check(ERR(pwrite(a->fd, data, 64, roff(a, 0) + (tok_b | 0x100))) == EIO,
          "ism move into an unmapped DMB fails");
    check(dma_map(c, iova, mem, 8 * PAGE) == 0 &&
          pwrite(a->fd, data, 64, roff(a, 0) + (tok_b | 0x100)) == 64,
          "ism move works again once remapped");

    /* SIGNAL_IEQ a -> b */
    memset(req, 0, sizeof(req));
    be64(req + 8, gid_b);
    be32(req + 16, 1);
    be32(req + 20, 0x42);
    be64(req + 24, 0x1122);
    check(ism_cmd(a, 0xe, req, 32, resp, sizeof(resp)) == 0 &&
          rd64(ieq_b) == 1 && ieq_b[32 + 3] == 2 && ieq_b[32 + 7] == 0x42 &&
          rd64(ieq_b + 32 + 8) == gid_a && (sba_b[0] & 0x40) &&
          efd_count(efd_b) == 1,
          "SIGNAL_IEQ posts an event in b's queue and interrupts b");

    /* UNREG_DMB with an unknown token vs the right one */
    be64(req + 8, tok_b);
    check(ism_cmd(a, 0xb, req, 16, resp, sizeof(resp)) == 0xffff &&
          ism_cmd(b, 0xb, req, 16, resp, sizeof(resp)) == 0,
          "UNREG_DMB: foreign token refused, own token accepted");
    check(ERR(pwrite(a->fd, data, 64, roff(a, 0) + (tok_b | 0x100))) == EIO,
          "ism move to an unregistered DMB fails");
    check(ism_cmd(a, 0x77, req, 8, resp, sizeof(resp)) == 0xffff,
          "unknown ISM command answered with 0xffff");
    check(ism_cmd(a, 0x11, req, 8, resp, sizeof(resp)) == 0 &&
          ism_cmd(a, 0x11, req, 8, resp, sizeof(resp)) == 0xffff,
          "UNREG_SBA once ok, twice refused");

    /* PCI Store to the data space (via the region's STORE) */
    memcpy(data, "12345678", 8);
    check(zio(isms, ZSTORE, 0, tok_a | 0x100, data, 8) == EIO &&
          zio(isms, ZSTORE, 2, 0x100, data, 8) == 0 &&
          zio(isms, ZBLOCK, 2, 0x100, data, 8) == 0,
          "ISM: PCI Store to data space fails; store/block to BAR 2 ok");
    close(efd_b);
}


/* ---- interrupts (vfio_pci_intrs.c, vfio_pci_core.c) ---- */

/* SET_IRQS with up to 8 entries of data; returns 0 or errno */
static int set_irqs(Dev *d, uint32_t flags, unsigned index, unsigned start,
                    unsigned count, const void *data, size_t dlen)
{
    char buf[sizeof(struct vfio_irq_set) + 32];
    struct vfio_irq_set *s = (void *)buf;

    memset(buf, 0, sizeof(buf));
    s->argsz = sizeof(*s) + dlen;
    s->flags = flags;
    s->index = index;
    s->start = start;
    s->count = count;
    if (dlen) {
        memcpy(s->data, data, dlen);
    }
    return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s) == 0 ? 0 : errno;
}

#define EVFD    (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define NONE    (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)
#define BOOL    (VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER)

static int irq_info(Dev *d, unsigned index, struct vfio_irq_info *ii)
{
    memset(ii, 0, sizeof(*ii));
    ii->argsz = sizeof(*ii);
    ii->index = index;
    return ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, ii) == 0 ? 0 : errno;
}

static void test_irqs(Dev *nic, Dev *msid, Dev *both, Dev *ismv)
{
    struct vfio_irq_info ii;
    int efd = eventfd(0, EFD_NONBLOCK), efd2 = eventfd(0, EFD_NONBLOCK);
    int efd3 = eventfd(0, EFD_NONBLOCK), pfd[2], m1 = -1, bad = 1000;
    uint32_t v, nr = VFIO_IRQ_INFO_NORESIZE, evf = VFIO_IRQ_INFO_EVENTFD;
    uint8_t yes = 1;

    if (pipe(pfd) != 0) {
        exit(2);
    }
    /* Counts and flags (vfio_pci_get_irq_count(), get_irq_info) */
    check(irq_info(nic, VFIO_PCI_MSIX_IRQ_INDEX, &ii) == 0 &&
          ii.count == 8 && ii.flags == (evf | nr) &&
          irq_info(nic, VFIO_PCI_MSI_IRQ_INDEX, &ii) == 0 && ii.count == 0 &&
          irq_info(nic, VFIO_PCI_REQ_IRQ_INDEX, &ii) == 0 &&
          ii.count == 1 && ii.flags == (evf | nr) &&
          irq_info(nic, VFIO_PCI_INTX_IRQ_INDEX, &ii) == 0 &&
          ii.count == 0 && ii.flags == (evf | VFIO_IRQ_INFO_MASKABLE |
                                        VFIO_IRQ_INFO_AUTOMASKED),
          "nic0: MSI-X 8, MSI 0, REQ 1, INTx 0; NORESIZE but for INTx");
    check(irq_info(msid, VFIO_PCI_MSI_IRQ_INDEX, &ii) == 0 &&
          ii.count == 4 && ii.flags == (evf | nr) &&
          irq_info(msid, VFIO_PCI_MSIX_IRQ_INDEX, &ii) == 0 && ii.count == 0,
          "msid: MSI 4, MSI-X 0");
    check(irq_info(ismv, VFIO_PCI_ERR_IRQ_INDEX, &ii) == EINVAL &&
          irq_info(both, VFIO_PCI_ERR_IRQ_INDEX, &ii) == 0 && ii.count == 1 &&
          irq_info(nic, VFIO_PCI_ERR_IRQ_INDEX, &ii) == 0 && ii.count == 1,
          "ERR index: 7.2 EINVAL without PCI Express, count 1 with it; "
          "7.3 count 1 without");

    /* Validation: range, flags, data type */
    check(set_irqs(nic, EVFD, VFIO_PCI_MSIX_IRQ_INDEX, 3, 1, &efd, 4) == 0 &&
          set_irqs(nic, EVFD, VFIO_PCI_MSIX_IRQ_INDEX, 8, 1, &efd, 4) ==
          EINVAL && set_irqs(nic, EVFD, VFIO_PCI_MSIX_IRQ_INDEX, 7, 2, &efd,
                             8) == EINVAL,
          "nic0: MSI-X eventfd for vector 3 ok; vector 8, or 7 and 8, EINVAL");
    v = 3;
    check(pwrite(nic->fd, &v, 4, roff(nic, 0) + 0x800) == 4 &&
          efd_count(efd) == 1, "nic0: doorbell raises MSI-X vector 3");
    check(set_irqs(nic, NONE, VFIO_PCI_MSIX_IRQ_INDEX, 2, 2, NULL, 0) == 0 &&
          efd_count(efd) == 1 &&
          set_irqs(nic, BOOL, VFIO_PCI_MSIX_IRQ_INDEX, 3, 1, &yes, 1) == 0 &&
          efd_count(efd) == 1,
          "nic0: loopback (NONE on 2-3, BOOL on 3) fires vector 3");
    check(set_irqs(nic, NONE | VFIO_IRQ_SET_DATA_BOOL,
                   VFIO_PCI_MSIX_IRQ_INDEX, 3, 1, &yes, 1) == EINVAL &&
          set_irqs(nic, NONE | (1 << 10), VFIO_PCI_MSIX_IRQ_INDEX, 3, 1,
                   NULL, 0) == EINVAL && efd_count(efd) == 0,
          "SET_IRQS: two data types, or an unknown flag bit, EINVAL");
    check(set_irqs(nic, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
                   VFIO_PCI_MSIX_IRQ_INDEX, 3, 1, NULL, 0) == ENOTTY &&
          set_irqs(nic, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
                   VFIO_PCI_MSIX_IRQ_INDEX, 3, 1, NULL, 0) == ENOTTY &&
          efd_count(efd) == 0,
          "SET_IRQS: MASK and UNMASK of MSI-X are ENOTTY");
    check(set_irqs(nic, EVFD, VFIO_PCI_MSIX_IRQ_INDEX, 4, 1, &pfd[0], 4) ==
          EINVAL &&
          set_irqs(nic, EVFD, VFIO_PCI_MSIX_IRQ_INDEX, 4, 1, &bad, 4) ==
          EBADF &&
          set_irqs(nic, EVFD, VFIO_PCI_MSIX_IRQ_INDEX, 4, 1, &efd2, 4) == 0,
          "SET_IRQS: a pipe is EINVAL, a closed fd EBADF, an eventfd ok");
    check(set_irqs(nic, EVFD, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd3, 4) ==
          EINVAL, "SET_IRQS: INTx (no pin on zPCI) EINVAL");

    /* MSI: loopback only once enabled; doorbell */
    check(set_irqs(msid, NONE, VFIO_PCI_MSI_IRQ_INDEX, 2, 1, NULL, 0) ==
          EINVAL &&
          set_irqs(msid, NONE, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL, 0) ==
          EINVAL &&
          set_irqs(msid, EVFD, VFIO_PCI_MSI_IRQ_INDEX, 2, 1, &efd3, 4) == 0 &&
          set_irqs(msid, NONE, VFIO_PCI_MSI_IRQ_INDEX, 2, 1, NULL, 0) == 0 &&
          efd_count(efd3) == 1,
          "msid: loopback or disable before MSI is enabled EINVAL, after ok");
    v = 2;
    check(pwrite(msid->fd, &v, 4, roff(msid, 2)) == 4 &&
          efd_count(efd3) == 1, "msid: doorbell raises MSI vector 2");

    /* INTx, MSI, MSI-X exclude each other */
    check(set_irqs(both, EVFD, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL, 0) ==
          ERANGE &&
          set_irqs(both, EVFD, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &m1, 4) == 0 &&
          set_irqs(both, EVFD, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd3, 4) ==
          EINVAL &&
          set_irqs(both, NONE, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL, 0) ==
          EINVAL &&
          set_irqs(both, NONE, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL, 0) == 0 &&
          set_irqs(both, EVFD, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd3, 4) == 0,
          "both: MSI-X enabled (fd -1) excludes MSI until disabled");

    /* REQ and ERR: one eventfd each */
    check(set_irqs(nic, NONE, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0) ==
          EINVAL &&
          set_irqs(nic, EVFD, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &efd2, 4) == 0 &&
          set_irqs(nic, NONE, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0) == 0 &&
          efd_count(efd2) == 1 &&
          set_irqs(nic, NONE, VFIO_PCI_REQ_IRQ_INDEX, 0, 0, NULL, 0) == 0 &&
          set_irqs(nic, NONE, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0) ==
          EINVAL,
          "REQ: loopback needs an eventfd; register, fire, unregister");
    check(set_irqs(ismv, EVFD, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &efd2, 4) ==
          EINVAL &&
          set_irqs(both, EVFD, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &efd2, 4) == 0,
          "ERR: 7.2 EINVAL without PCI Express, an eventfd with it");
    close(efd);
    close(efd2);
    close(efd3);
    close(pfd[0]);
    close(pfd[1]);
}

static void test_cfg(Dev *nic, Dev *ismd, Dev *both)
{
    uint8_t cfg[4096];
    uint32_t v = 0xffffffff, bar;
    struct vfio_region_info *ri;
    unsigned pos, ids = 0;

    check(pread(nic->fd, cfg, 256, roff(nic, 7)) == 256 &&
          cfg[0] == 0x14 && cfg[1] == 0x10 && (cfg[6] & 0x10) &&
          cfg[cfg[0x34]] == 0x11 && (cfg[4] & 0x02),
          "nic0: config space with MSI-X cap, memory decode on at open");
    check(pread(ismd->fd, cfg, 256, roff(ismd, 7)) == 256 &&
          cfg[2] == 0xed && cfg[3] == 0x04 && cfg[cfg[0x34]] == 0x05 &&
          cfg[cfg[0x34] + 1] == 0, "ismd: 1014:04ed with only an MSI cap");
    bar = 0;
    if (pwrite(nic->fd, &v, 4, roff(nic, 7) + 0x10) != 4 ||
        pread(nic->fd, &bar, 4, roff(nic, 7) + 0x10) != 4) {
        bar = 0;
    }
    check(bar == 0xfffff004, "nic0: BAR 0 sizing reads back 0x%08x", bar);
    check(ERR(pread(nic->fd, cfg, 8, roff(nic, 7) + 252)) == EFAULT &&
          ERR(pwrite(nic->fd, cfg, 1, roff(nic, 7) + 256)) == EFAULT &&
          pread(nic->fd, cfg, 4, roff(nic, 7) + 252) == 4,
          "config access past 256 bytes is EFAULT, the last 4 ok");
    check(pread(both->fd, cfg, 4096, roff(both, 7)) == 4096 &&
          ERR(pread(both->fd, cfg, 8, roff(both, 7) + 4092)) == EFAULT,
          "PCI Express function: 4 KiB of config space");
    for (pos = cfg[0x34]; pos && pos < 256; pos = cfg[pos + 1]) {
        ids = ids << 8 | cfg[pos];
    }
    check(ids == 0x051110, "both: capabilities MSI, MSI-X, PCI Express "
          "(0x%06x)", ids);
    check(region_info(ismd, 0, &ri) == 0 && ri->size == 1ULL << 48 &&
          ri->offset == 0 && region_info(ismd, 7, &ri) == 0 &&
          ri->offset == 7ULL << 48,
          "ism_vfio_pci: BAR 0 is 256 TiB, config at 7 << 48");
    check(region_info(ismd, 6, &ri) == EINVAL &&
          region_info(ismd, 8, &ri) == EINVAL &&
          region_info(ismd, 9, &ri) == EINVAL,
          "ism_vfio_pci: regions 6, 8 and 9 do not exist");
    check(region_info(nic, 7, &ri) == 0 && ri->offset == 7ULL << 40 &&
          region_info(nic, 8, &ri) == EINVAL,
          "vfio-pci: config at 7 << 40, no VGA region");
}

static void test_iommu(int c)
{
    struct {
        struct vfio_iommu_type1_info info;
        uint8_t caps[256];
    } buf;
    struct vfio_iommu_type1_info_dma_avail *av;
    struct vfio_iommu_type1_info_cap_iova_range *rg;

    memset(&buf, 0, sizeof(buf));
    buf.info.argsz = sizeof(buf.info);
    check(ioctl(c, VFIO_IOMMU_GET_INFO, &buf) == 0 &&
          buf.info.argsz > sizeof(buf.info),
          "IOMMU info asks for a larger buffer for its caps");
    buf.info.argsz = sizeof(buf);
    ioctl(c, VFIO_IOMMU_GET_INFO, &buf);
    av = find_cap(&buf, buf.info.cap_offset,
                  VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
    rg = find_cap(&buf, buf.info.cap_offset,
                  VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
    check(av && rg && av->avail == 3 && rg->nr_iovas == 1 &&
          rg->iova_ranges[0].start == 0x100000000ULL &&
          buf.info.iova_pgsizes == PAGE,
          "IOMMU info: dma-avail 3, iova range from 4 GiB, 4 KiB pages");
}

static void test_dma_limit(int c)
{
    uint8_t *mem = pages(8);
    uint64_t iova = 0x100000000ULL;
    int i, ok = 1;

    for (i = 0; i < 3; i++) {
        ok &= dma_map(c, iova + i * PAGE, mem + i * PAGE, PAGE) == 0;
    }
    check(ok && ERR(dma_map(c, iova + 3 * PAGE, mem + 3 * PAGE, PAGE)) ==
          ENOSPC, "DMA: maps up to the limit (3) ok, the 4th ENOSPC");
    check(dma_unmap(c, iova, PAGE) == 0 &&
          ERR(dma_map(c, iova + PAGE, mem, 2 * PAGE)) == EEXIST,
          "DMA: a map overlapping an existing one is EEXIST");
    check(ERR(dma_map(c, 0x1000, mem, PAGE)) == EINVAL,
          "DMA: a map below the aperture is EINVAL");
    check(ERR(dma_map(c, iova + 3 * PAGE + 1, mem, PAGE)) == EINVAL &&
          dma_map(c, iova + 3 * PAGE, mem + 3 * PAGE, PAGE) == 0,
          "DMA: an unaligned map is EINVAL, the aligned one accepted");
    check(ERR(dma_unmap(c, iova + PAGE, PAGE / 2)) == EINVAL &&
          ERR(dma_unmap(c, iova + PAGE, 2 * PAGE)) == 0,
          "DMA: unaligned unmap refused, unmap of whole maps ok");
    check(dma_map(c, iova, mem, 2 * PAGE) == 0 &&
          ERR(dma_unmap(c, iova, PAGE)) == EINVAL &&
          dma_unmap(c, iova, 2 * PAGE) == 0,
          "DMA: an unmap that bisects a mapping is EINVAL");
}

static void test_faults(int c, Dev *inj, Dev *errs)
{
    uint8_t *buf = pages(1);
    uint8_t cfg[4];
    uint64_t iova = 0x100000000ULL;

    check(zio(inj, ZREAD, 0, 0, buf, 8) == 0 &&
          zio(inj, ZREAD, 0, 0, buf, 8) == EIO &&
          zio(inj, ZREAD, 0, 0, buf, 8) == 0,
          "fail-region-request=2: only the 2nd region request fails");
    check(dma_map(c, iova, buf, PAGE) == 0 &&
          ERR(dma_map(c, iova + PAGE, buf, PAGE)) == ENOMEM &&
          dma_map(c, iova + 2 * PAGE, buf, PAGE) == 0,
          "refuse-dma-map=2: only the 2nd DMA map fails");
    check(zio(errs, ZREAD, 0, 0, buf, 8) == EIO &&
          pread(errs->fd, cfg, 4, roff(errs, 7)) == 4,
          "error-state: region ops EIO, config space still works");
    check(ioctl(errs->fd, VFIO_DEVICE_RESET) == 0 &&
          zio(errs, ZREAD, 0, 0, buf, 8) == EIO,
          "error-state (configured): still EIO after VFIO_DEVICE_RESET");
}

/* ---- PCI error events and mediated recovery (Linux 7.3) ---- */

/* VFIO_DEVICE_FEATURE with a u64 of data (argsz: header + dsz) */
static int feature(Dev *d, uint32_t flags, uint64_t data, uint32_t dsz)
{
    struct {
        struct vfio_device_feature h;
        uint64_t data;
    } ft = { .h.argsz = sizeof(ft.h) + dsz, .h.flags = flags, .data = data };

    return ioctl(d->fd, VFIO_DEVICE_FEATURE, &ft) == 0 ? 0 : errno;
}

#define FGET    (FEATURE_ZPCI_ERROR | VFIO_DEVICE_FEATURE_GET)

/* ZPCI_ERROR GET into a fresh buffer; 0 or errno */
static int ccdf_read(Dev *d, uint8_t *ccdf)
{
    memset(ccdf, 0xee, 32);
    return feature(d, FGET, (uintptr_t)ccdf, 8);
}

/*
 * struct zpci_ccdf_err (arch/s390/include/asm/pci.h), big-endian:
 * reserved1, fh, fid, the ett/mvn/dmaas/q/rw word, faddr, reserved3,
 * reserved4, pec; the host sets fh, fid, faddr and pec.
 */
static bool ccdf_is(const uint8_t *c, uint32_t fh, uint32_t fid,
                    uint16_t pec, uint64_t faddr)
{
    static const uint8_t zero[12];

    return memcmp(c, zero, 4) == 0 && (uint32_t)(rd64(c) & 0xffffffff) ==
           fh && (uint32_t)(rd64(c + 8) >> 32) == fid &&
           memcmp(c + 12, zero, 4) == 0 && rd64(c + 16) == faddr &&
           memcmp(c + 24, zero, 6) == 0 && (c[30] << 8 | c[31]) == pec;
}

static int set_err_eventfd(Dev *d, int efd)
{
    return set_irqs(d, EVFD, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &efd, 4);
}

/* fh and fid as the [function NAME] section states them */
static uint32_t fact_of(const char *name, const char *key)
{
    char *grp = g_strdup_printf("function %s", name);
    gchar *v = g_key_file_get_string(ini, grp, key, NULL);
    uint32_t n = v ? g_ascii_strtoull(v, NULL, 0) : 0;

    g_free(v);
    g_free(grp);
    return n;
}

/*
 * rq (linux-7.3, region present): inject-after-ops=2,3 with PECs 0x3a,
 * 0x3c, faddr 0x1000, 0x2000, inject-count=3.
 */
static void test_mediated(Dev *rq)
{
    uint8_t *buf = pages(1), c[4][32];
    uint32_t fh = fact_of("rq", "fh"), fid = fact_of("rq", "fid");
    int efd = eventfd(0, EFD_NONBLOCK);
    uint8_t bar[8], cfg[4];
    struct vfio_irq_info ii;
    int i;

    check(irq_info(rq, VFIO_PCI_ERR_IRQ_INDEX, &ii) == 0 && ii.count == 1 &&
          set_err_eventfd(rq, efd) == 0,
          "rq [linux-7.3]: ERR index count 1 without PCI Express, eventfd "
          "registered");
    check(ccdf_read(rq, c[0]) == ENOMSG,
          "rq: ZPCI_ERROR GET with nothing pending: ENOMSG");
    check(zio(rq, ZREAD, 0, 0, buf, 8) == 0 &&
          zio(rq, ZREAD, 0, 0, buf, 8) == EIO && efd_count(efd) == 3,
          "rq: op 1 works, op 2 meets the injected error (EIO), 3 CCDFs "
          "signal the ERR eventfd 3 times");
    check(zio(rq, ZREAD, 0, 0, buf, 8) == EIO && efd_count(efd) == 3,
          "rq: op 3 meets 3 more CCDFs: the 4th queued, 5th and 6th "
          "dropped, each still signalled");
    check(zio(rq, ZREAD, 0, 0, buf, 8) == EIO && efd_count(efd) == 0 &&
          pread(rq->fd, cfg, 4, roff(rq, 7)) == 4,
          "rq: error state: the next op fails (no new event), config "
          "space still works");
    memset(bar, 0, sizeof(bar));
    check(pread(rq->fd, bar, 8, roff(rq, 0)) == 8 && all(bar, 0xff, 8),
          "rq: error state: a vfio-pci BAR read succeeds as all-ones");

    /* vfio_ioctl_device_feature() and vfio_check_feature() */
    check(feature(rq, FGET, 0, 8) == EINVAL,
          "rq: ZPCI_ERROR GET with data 0: EINVAL (nothing dequeued)");
    check(feature(rq, FEATURE_ZPCI_ERROR | VFIO_DEVICE_FEATURE_SET,
                  (uintptr_t)buf, 8) == EINVAL &&
          feature(rq, FGET | VFIO_DEVICE_FEATURE_SET, (uintptr_t)buf, 8) ==
          EINVAL && feature(rq, FEATURE_ZPCI_ERROR, (uintptr_t)buf, 8) ==
          EINVAL && feature(rq, FGET | (1U << 19), (uintptr_t)buf, 8) ==
          EINVAL,
          "rq: ZPCI_ERROR SET, GET|SET, neither, an unknown flag bit: "
          "EINVAL");
    check(feature(rq, FGET, (uintptr_t)buf, 0) == EINVAL &&
          feature(rq, FGET, (uintptr_t)buf, -4) == EINVAL,
          "rq: ZPCI_ERROR GET without its data, argsz below the header: "
          "EINVAL");
    check(feature(rq, FGET | VFIO_DEVICE_FEATURE_PROBE, 0, 0) == 0 &&
          feature(rq, FGET | VFIO_DEVICE_FEATURE_SET |
                  VFIO_DEVICE_FEATURE_PROBE, 0, 0) == EINVAL &&
          feature(rq, 14 | VFIO_DEVICE_FEATURE_GET, (uintptr_t)buf, 8) ==
          ENOTTY,
          "rq: PROBE of GET 0, of SET EINVAL; unknown feature 14 ENOTTY");

    check(ioctl(rq->fd, VFIO_DEVICE_RESET) == 0 &&
          zio(rq, ZREAD, 0, 0, buf, 8) == 0,
          "rq: VFIO_DEVICE_RESET ends the error state");
    for (i = 0; i < 4; i++) {
        if (ccdf_read(rq, c[i]) != 0) {
            break;
        }
    }
    check(i == 4 && ccdf_is(c[0], fh, fid, 0x3a, 0x1000) &&
          ccdf_is(c[1], fh, fid, 0x3a, 0x1000) &&
          ccdf_is(c[2], fh, fid, 0x3a, 0x1000) &&
          ccdf_is(c[3], fh, fid, 0x3c, 0x2000),
          "rq: the reset kept the queue: 4 CCDFs (fh 0x%x fid 0x%x), "
          "oldest first: 0x3a x3, then 0x3c", fh, fid);
    check(ccdf_read(rq, c[0]) == ENOMSG,
          "rq: the 5th GET: ENOMSG (the 5th and 6th CCDF were dropped)");
    close(efd);
}

/*
 * rc (linux-7.3): inject-after-ops=1, count 3, no ERR eventfd: closing
 * the device stops mediated recovery and empties the queue.
 */
static void test_mediated_close(int g, Dev *rc)
{
    uint8_t *buf = pages(1), c[32], *gone = pages(1);

    munmap(gone, PAGE);
    check(zio(rc, ZREAD, 0, 0, buf, 8) == EIO &&
          zio(rc, ZREAD, 0, 0, buf, 8) == EIO,
          "rc: op 1 meets the error (3 CCDFs, no eventfd registered), "
          "op 2 meets the error state");
    check(feature(rc, FGET, (uintptr_t)gone, 8) == EFAULT &&
          ccdf_read(rc, c) == 0 &&
          ccdf_is(c, fact_of("rc", "fh"), fact_of("rc", "fid"), 0x3a, 0),
          "rc: GET into unmapped memory: EFAULT and that CCDF is lost; "
          "the next GET has the second");
    check(zio(rc, ZREAD, 0, 0, buf, 8) == EIO,
          "rc: still in error state, the third CCDF pending");
    close(rc->fd);
    *rc = dev_open(g, "rc", 40);
    check(ccdf_read(rc, c) == ENOMSG && zio(rc, ZREAD, 0, 0, buf, 8) == 0,
          "rc: close and open again: nothing pending, no error state");
}

/*
 * r72 (linux 7.2, PCI Express, region present): inject-after-ops=2,4
 * with PECs 0x3a, 0x40: no mediated recovery.
 */
static void test_host_recovery(Dev *r72)
{
    uint8_t *buf = pages(1), c[32];
    int efd = eventfd(0, EFD_NONBLOCK);

    check(set_err_eventfd(r72, efd) == 0 &&
          zio(r72, ZREAD, 0, 0, buf, 8) == 0 &&
          zio(r72, ZREAD, 0, 0, buf, 8) == EIO && efd_count(efd) == 1 &&
          zio(r72, ZREAD, 0, 0, buf, 8) == 0,
          "r72 [linux]: the failing op signals ERR, the host recovers the "
          "function: the next op works");
    check(zio(r72, ZREAD, 0, 0, buf, 8) == EIO && efd_count(efd) == 1 &&
          zio(r72, ZREAD, 0, 0, buf, 8) == EIO &&
          ioctl(r72->fd, VFIO_DEVICE_RESET) == 0 &&
          zio(r72, ZREAD, 0, 0, buf, 8) == 0,
          "r72: PEC 0x40 (permanent failure) is not recovered: error state "
          "until VFIO_DEVICE_RESET");
    check(ccdf_read(r72, c) == ENOTTY &&
          feature(r72, FGET | VFIO_DEVICE_FEATURE_PROBE, 0, 0) == ENOTTY,
          "r72: no VFIO_DEVICE_FEATURE_ZPCI_ERROR in Linux 7.2: ENOTTY");
    close(efd);
}

/* rf (linux-7.3): inject-after-ops=1, PEC 0x2b (FMB): ignored */
static void test_fmb_ignored(Dev *rf)
{
    uint8_t *buf = pages(1), c[32];
    int efd = eventfd(0, EFD_NONBLOCK);

    check(set_err_eventfd(rf, efd) == 0 &&
          zio(rf, ZREAD, 0, 0, buf, 8) == EIO && efd_count(efd) == 0 &&
          zio(rf, ZREAD, 0, 0, buf, 8) == 0 && ccdf_read(rf, c) == ENOMSG,
          "rf: PEC 0x2b (FMB) is ignored: not signalled, not queued, no "
          "error state");
    close(efd);
}

static Dev open_in(int c, int group, const char *name, unsigned shift);

/*
 * rt (linux-7.3): inject-at-ms=30, PEC 0x3d, faddr 0x5000.  The clock
 * starts at the open: a signal before the eventfd is registered is lost,
 * as with the kernel, so the open is here, right before the registration.
 */
static void test_timer(Dev *rt, int c5)
{
    uint8_t *buf = pages(1), c[32];
    int efd = eventfd(0, EFD_NONBLOCK), i;
    uint64_t n = 0;

    *rt = open_in(c5, 28, "rt", 40);
    check(set_err_eventfd(rt, efd) == 0, "rt: ERR eventfd registered");
    for (i = 0; i < 400 && !n; i++) {
        usleep(5000);
        n = efd_count(efd);
    }
    check(n == 1 && zio(rt, ZREAD, 0, 0, buf, 8) == EIO &&
          ccdf_read(rt, c) == 0 &&
          ccdf_is(c, fact_of("rt", "fh"), fact_of("rt", "fid"), 0x3d,
                  0x5000),
          "rt: inject-at-ms: the event arrives by itself (after %d ms): "
          "signalled, error state, its CCDF pending", i * 5);
    close(efd);
}

/* VFIO_DEVICE_RESET keeps vfio-pci's saved memory enable bit */
static void test_reset(Dev *msid)
{
    uint16_t cmd = 0xffff;
    uint8_t buf[8];

    check(set_cmd(msid, 0x0006) &&
          ioctl(msid->fd, VFIO_DEVICE_RESET) == 0 &&
          pread(msid->fd, &cmd, 2, roff(msid, 7) + 4) == 2 && cmd == 0 &&
          pread(msid->fd, buf, 8, roff(msid, 0)) == 8 &&
          set_cmd(msid, 0) && ERR(pread(msid->fd, buf, 8, roff(msid, 0))) ==
          EIO && set_cmd(msid, 0x0002),
          "reset: command register reads 0, BAR access still allowed "
          "until memory decode is written off");
}

static void test_loud(Dev *d)
{
    char c;

    check(ERR(ioctl(d->fd, _IO(VFIO_TYPE, VFIO_BASE + 60))) == ENOTTY,
          "unknown device ioctl fails with ENOTTY (and is reported)");
    check(ERR(read(d->fd, &c, 1)) == EINVAL,
          "read() on a device fd fails (and is reported)");
}

/* A device fd after its close: a tombstone, every use reported */
static void test_tombstone(Dev *d)
{
    struct vfio_device_info info = { .argsz = sizeof(info) };
    int fd = d->fd;
    char c;

    check(close(fd) == 0, "close() of a device fd succeeds");
    check(ERR(ioctl(fd, VFIO_DEVICE_GET_INFO, &info)) == EBADF &&
          ERR(pread(fd, &c, 1, 0)) == EBADF && ERR(close(fd)) == EBADF,
          "ioctl, pread and close of it afterwards fail with EBADF (and "
          "are reported)");
    check(open("/dev/null", O_RDONLY) != fd,
          "its number is not handed out again");
}

/* Every function whose name starts with "cap-": its chain and regions */
static void test_all_caps(int c)
{
    gchar **grps = g_key_file_get_groups(ini, NULL), **g;
    int n = 0, grp;

    for (g = grps; *g; g++) {
        const char *name = *g + strlen("function ");
        char *gid;
        Dev d;

        if (strncmp(*g, "function cap-", 13) != 0) {
            continue;
        }
        gid = g_key_file_get_string(ini, *g, "group", NULL);
        grp = group_attach(c, atoi(gid));
        /* (the first group of the container lets it set the IOMMU) */
        ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
        d = dev_open(grp, name,
                     g_key_file_has_key(ini, *g, "driver", NULL) ? 48 : 40);
        g_free(gid);
        test_caps_of(&d);
        n++;
    }
    check(n >= 1, "%d cap-* functions checked", n);
    g_strfreev(grps);
}

static void load_ini(void)
{
    GError *e = NULL;

    ini = g_key_file_new();
    if (!g_key_file_load_from_file(ini, getenv("ZPCI_SIM_CONFIG"),
                                   G_KEY_FILE_NONE, &e)) {
        fprintf(stderr, "cannot read the config: %s\n", e->message);
        exit(2);
    }
}

static Dev open_in(int c, int group, const char *name, unsigned shift)
{
    return dev_open(group_attach(c, group), name, shift);
}

int main(int argc, char **argv)
{
    int c1, c2, c3, c4, c5, g10, g13, g25;
    struct vfio_group_status st = { .argsz = sizeof(st) };
    Dev nic, nicp, msid, ismv, ismd, ismd2, ismsm, isms, inj, errs, nomio;
    Dev ismx;
    Dev both, rq, rc, r72, rf, rt;

    load_ini();
    c4 = container_new();
    if (argc > 1 && strcmp(argv[1], "caps") == 0) {
        /* Only the capability chains (another [simulator] host=) */
        test_all_caps(c4);
        note("%d failure(s)", failures);
        return 0;
    }

    /* Container 1: the main functions */
    c1 = container_new();
    check(ioctl(c1, VFIO_GET_API_VERSION) == VFIO_API_VERSION &&
          ioctl(c1, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1 &&
          ioctl(c1, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU) == 0,
          "container: API version, type1v2 yes, sPAPR no");
    check(ERR(ioctl(c1, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) == EINVAL,
          "container: SET_IOMMU before any group is refused");
    g10 = open("/dev/vfio/10", O_RDWR);
    check(g10 >= 0 && ioctl(g10, VFIO_GROUP_GET_STATUS, &st) == 0 &&
          st.flags == VFIO_GROUP_FLAGS_VIABLE,
          "group 10: viable, no container yet");
    check(ERR(open("/dev/vfio/10", O_RDWR)) == EBUSY,
          "group 10: second open refused");
    check(ERR(ioctl(g10, VFIO_GROUP_GET_DEVICE_FD, "nic0")) == EINVAL,
          "GET_DEVICE_FD before the container is set up refused");
    ioctl(g10, VFIO_GROUP_SET_CONTAINER, &c1);
    check(ioctl(g10, VFIO_GROUP_GET_STATUS, &st) == 0 &&
          st.flags == (VFIO_GROUP_FLAGS_VIABLE |
                       VFIO_GROUP_FLAGS_CONTAINER_SET),
          "group 10: container set");
    check(ioctl(c1, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) == 0,
          "container: SET_IOMMU type1v2");
    nic = dev_open(g10, "nic0", 40);
    check(ERR(ioctl(g10, VFIO_GROUP_GET_DEVICE_FD, "nic0")) == EBUSY,
          "nic0: second device open refused");
    ismv = open_in(c1, 11, "ismv", 40);
    g13 = group_attach(c1, 13);
    ismd = dev_open(g13, "ismd", 48);
    ismd2 = dev_open(g13, "ismd2", 48);
    isms = open_in(c1, 14, "isms", 40);
    ismsm = open_in(c1, 15, "ismsm", 48);
    ismx = open_in(c1, 29, "ismx", 48);
    nomio = open_in(c1, 17, "nomio", 40);
    nicp = open_in(c1, 18, "nicp", 40);
    msid = open_in(c1, 19, "msid", 40);
    both = open_in(c1, 23, "both", 40);

    /* Container 2: DMA limit; container 3: fault injection */
    c2 = container_new();
    g13 = group_attach(c2, 20);
    ioctl(c2, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
    (void)dev_open(g13, "lim", 40);
    c3 = container_new();
    g10 = group_attach(c3, 21);
    ioctl(c3, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
    inj = dev_open(g10, "inj", 40);
    errs = open_in(c3, 22, "errs", 40);

    /* Container 5: PCI error events (recovery.c) */
    c5 = container_new();
    g25 = group_attach(c5, 25);
    ioctl(c5, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
    rc = dev_open(g25, "rc", 40);
    rq = open_in(c5, 24, "rq", 40);
    r72 = open_in(c5, 26, "r72", 40);
    rf = open_in(c5, 27, "rf", 40);

    /* Container 4: the capability chains of every profile */
    test_all_caps(c4);
    test_cfg(&nic, &ismd, &both);
    test_zio(&nic, &nicp, &msid);
    test_bars(&nic, &nomio, &ismv, &errs);
    test_ismvp(&ismd, &ismsm, &ismx);
    test_ism(c1, &ismd, &ismd2, &isms);
    test_irqs(&nic, &msid, &both, &ismv);
    test_reset(&msid);
    test_iommu(c2);
    test_dma_limit(c2);
    test_faults(c3, &inj, &errs);
    test_timer(&rt, c5);
    test_mediated(&rq);
    test_mediated_close(g25, &rc);
    test_host_recovery(&r72);
    test_fmb_ignored(&rf);
    test_loud(&nic);
    test_tombstone(&both);
    note("%d failure(s)", failures);
    return 0;
}
