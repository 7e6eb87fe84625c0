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
 * breaking the legal path) makes the test fail.
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

static struct vfio_device_info *dev_info(Dev *d)
{
    struct vfio_device_info *info = calloc(1, sizeof(*info));
    uint32_t sz;

    info->argsz = sizeof(*info);
    if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, info) != 0) {
        return NULL;
    }
    sz = info->argsz;
    info = realloc(info, sz);
    memset(info, 0, sz);
    info->argsz = sz;
    if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, info) != 0) {
        return NULL;
    }
    return info;
}

/* BASE v3 layout: flags after fh */
struct base_v3 {
    struct vfio_info_cap_header header;
    uint64_t start_dma, end_dma;
    uint16_t pchid, vfn, fmb_length;
    uint8_t pft, gid;
    uint32_t fh;
    uint32_t flags;
};

static void test_caps(Dev *d, int pft, int base_ver, bool mio_bit,
                      bool relaxed, unsigned maxstbl, unsigned nregions)
{
    struct vfio_device_info *info = dev_info(d);
    struct base_v3 *b;
    struct vfio_device_info_cap_zpci_group *g;
    struct vfio_device_info_cap_zpci_util *u;
    struct vfio_device_info_cap_zpci_pfip *p;

    if (!info) {
        check(false, "%s: VFIO_DEVICE_GET_INFO", d->name);
        return;
    }
    check((info->flags & (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET |
                          VFIO_DEVICE_FLAGS_CAPS)) ==
          (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET |
           VFIO_DEVICE_FLAGS_CAPS) && info->num_irqs == 5 &&
          info->num_regions == nregions,
          "%s: device info flags 0x%x, %u regions (want %u), %u irqs",
          d->name, info->flags, info->num_regions, nregions,
          info->num_irqs);
    b = find_cap(info, info->cap_offset, VFIO_DEVICE_INFO_CAP_ZPCI_BASE);
    g = find_cap(info, info->cap_offset, VFIO_DEVICE_INFO_CAP_ZPCI_GROUP);
    u = find_cap(info, info->cap_offset, VFIO_DEVICE_INFO_CAP_ZPCI_UTIL);
    p = find_cap(info, info->cap_offset, VFIO_DEVICE_INFO_CAP_ZPCI_PFIP);
    check(b && g && u && p, "%s: chain has BASE, GROUP, UTIL, PFIP",
          d->name);
    if (!(b && g && u && p)) {
        free(info);
        return;
    }
    check(b->header.version == base_ver && b->pft == pft && b->fh != 0 &&
          b->start_dma < b->end_dma,
          "%s: BASE v%u pft %u fh 0x%x", d->name, b->header.version,
          b->pft, b->fh);
    if (base_ver >= 3) {
        check(!!(b->flags & 1) == mio_bit, "%s: BASE v3 MIO flag %u",
              d->name, b->flags);
    }
    check(g->header.version == 2 && !!(g->flags & 2) == relaxed &&
          (g->flags & 1) && g->maxstbl == maxstbl && g->msi_addr != 0,
          "%s: GROUP flags 0x%llx (relaxed bit %d) maxstbl %u", d->name,
          (unsigned long long)g->flags, relaxed, g->maxstbl);
    check(u->size == 64 && p->size == 4, "%s: UTIL size %u, PFIP size %u",
          d->name, u->size, p->size);
    free(info);
}

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

/* ---- zPCI I/O region ---- */

struct zio_req {
    uint64_t flags, gaddr, offset;
    uint32_t reserved;
    uint16_t len;
    uint8_t pcias, reserved2;
};

#define ZREAD   1
#define ZBLOCK  2
#define ZSTORE  4

static int zio(Dev *d, uint64_t flags, uint8_t pcias, uint64_t off,
               void *buf, uint16_t len)
{
    struct zio_req r = {
        .flags = flags, .gaddr = (uintptr_t)buf, .offset = off, .len = len,
        .pcias = pcias,
    };
    ssize_t n = pwrite(d->fd, &r, sizeof(r), roff(d, 9) + 16);

    if (n == sizeof(r)) {
        return 0;
    }
    return n < 0 ? errno : -1;
}

static void test_zio(Dev *nic, Dev *nicp, Dev *msid)
{
    struct vfio_region_info *ri;
    struct vfio_region_info_cap_type *ct;
    struct { uint64_t flags; uint16_t max, r1; uint32_t r2; } hdr;
    struct zio_req r;
    uint8_t *buf = pages(2);
    uint8_t back[16];
    int e;

    e = region_info(nic, 9, &ri);
    ct = e ? NULL : find_cap(ri, ri->cap_offset, VFIO_REGION_INFO_CAP_TYPE);
    check(!e && ct && ct->type == 0x80001014 && ct->subtype == 2 &&
          ri->size == 48 && ri->offset == 9ULL << 40,
          "nic0: region 9 is the zPCI I/O region (type 0x%x/%u, size %llu)",
          ct ? ct->type : 0, ct ? ct->subtype : 0,
          e ? 0ULL : (unsigned long long)ri->size);
    check(pread(nic->fd, &hdr, 16, roff(nic, 9)) == 16 && hdr.flags == 1 &&
          hdr.max == 128, "nic0: region header STORE bit, max 128");
    check(pread(nicp->fd, &hdr, 16, roff(nicp, 9)) == 16 && hdr.flags == 0,
          "nicp: region=present leaves the STORE bit clear");
    check(ERR(pread(nic->fd, back, 8, roff(nic, 9) + 16)) == EINVAL,
          "nic0: the request part of the region is not readable");

    /* Write below offset 16 vs the request at 16 */
    memset(&r, 0, sizeof(r));
    memcpy(buf, "mailbox!", 8);
    r.flags = ZSTORE;
    r.gaddr = (uintptr_t)buf;
    r.len = 8;
    check(ERR(pwrite(nic->fd, &r, sizeof(r), roff(nic, 9) + 8)) == EINVAL &&
          pwrite(nic->fd, &r, sizeof(r), roff(nic, 9) + 16) == sizeof(r),
          "zio: request below offset 16 refused, at 16 accepted");
    check(ERR(pwrite(nic->fd, &r, 16, roff(nic, 9) + 16)) == EINVAL &&
          ERR(pwrite(nic->fd, &r, 16, roff(nic, 9) + 32)) == EINVAL,
          "zio: partial (16-byte) request writes refused");
    check(pread(nic->fd, back, 8, roff(nic, 0)) == 8 &&
          memcmp(back, "mailbox!", 8) == 0,
          "zio STORE reached BAR 0 (read back through the BAR)");

    /* STORE without the STORE bit */
    check(zio(nicp, ZSTORE, 0, 0, buf, 8) == EINVAL &&
          zio(nic, ZSTORE, 0, 0, buf, 8) == 0,
          "zio: STORE refused without the STORE bit, accepted with it");

    /* Unknown flags / two operations */
    check(zio(nic, 0x100 | ZREAD, 0, 0, buf, 8) == EINVAL &&
          zio(nic, ZREAD | ZBLOCK, 0, 0, buf, 8) == EINVAL &&
          zio(nic, ZREAD, 0, 0, buf, 8) == 0,
          "zio: unknown flag bits and two operations refused, READ ok");

    /* READ length and doubleword crossing */
    check(zio(nic, ZREAD, 0, 0, buf, 9) == EINVAL &&
          zio(nic, ZREAD, 0, 4, buf, 8) == EINVAL &&
          zio(nic, ZREAD, 0, 4, buf, 4) == 0,
          "zio: READ of 9 bytes / across a doubleword refused, 4 at 4 ok");

    /* BLOCKW longer than max vs == max (strict function, aligned) */
    check(zio(nic, ZBLOCK, 0, 0, buf, 136) == EINVAL &&
          zio(nic, ZBLOCK, 0, 0, buf, 128) == 0,
          "zio: BLOCKW of max+8 refused, of max accepted");

    /* BLOCKW crossing 4 KiB vs ending on it (relaxed msi-dev, max 4096) */
    check(zio(msid, ZBLOCK, 0, 4096 - 64, buf, 72) == EINVAL &&
          zio(msid, ZBLOCK, 0, 4096 - 64, buf, 64) == 0,
          "zio: BLOCKW crossing 4 KiB refused, ending at 4 KiB accepted");

    /* gaddr alignment and page crossing */
    check(zio(nic, ZREAD, 0, 0, buf + 4, 4) == EINVAL &&
          zio(nic, ZREAD, 0, 0, buf + 8, 4) == 0,
          "zio: gaddr not 8-byte aligned refused, aligned accepted");
    check(zio(msid, ZBLOCK, 0, 0, buf + PAGE - 32, 64) == EINVAL &&
          zio(msid, ZBLOCK, 0, 0, buf + PAGE - 64, 64) == 0,
          "zio: gaddr buffer crossing a page refused, page end accepted");

    /* pcias must be an implemented BAR */
    check(zio(nic, ZREAD, 1, 0, buf, 8) == EINVAL &&
          zio(nic, ZREAD, 3, 0, buf, 8) == EINVAL &&
          zio(nic, ZREAD, 6, 0, buf, 8) == EINVAL &&
          zio(nic, ZREAD, 4, 0, buf, 8) == 0,
          "zio: pcias 1/3/6 (no BAR) refused, BAR 4 accepted");

    /* Strict vs relaxed PCI Store Block */
    check(zio(nic, ZBLOCK, 0, 0, buf, 8) == EIO &&
          zio(nic, ZBLOCK, 0, 0, buf, 20) == EIO &&
          zio(nic, ZBLOCK, 0, 4, buf, 16) == EIO &&
          zio(nic, ZBLOCK, 0, 8, buf, 16) == 0,
          "strict function: blocks of 8, 20, or at offset 4 fail; 16 at 8 ok");
    check(zio(msid, ZBLOCK, 0, 5, buf, 3) == 0 &&
          zio(msid, ZBLOCK, 0, 8, buf, 8) == 0,
          "relaxed function: blocks of 3 at 5 and 8 at 8 accepted");
}

/* ---- BAR paths ---- */

static void test_bars(Dev *nic, Dev *ismv, Dev *ismvm, Dev *ismd)
{
    uint8_t buf[8192];
    int e;

    /* vfio-pci: pieces (split) with MIO */
    check(pread(nic->fd, buf, 16, roff(nic, 0)) == 16 &&
          pread(nic->fd, buf, 3, roff(nic, 0) + 1) == 3,
          "nic0: BAR 0 reads of 16 and of 3 at 1 (split into pieces)");
    /* No MIO: every piece fails */
    e = ERR(pread(ismv->fd, buf, 8, roff(ismv, 2)));
    check(e == EIO && pread(ismvm->fd, buf, 8, roff(ismvm, 2)) == 8,
          "vfio-pci BAR piece: EIO without MIO (got %d), ok with MIO", e);
    check(ERR(pwrite(ismv->fd, buf, 8, roff(ismv, 2) + 8)) == EIO,
          "vfio-pci BAR write on a non-MIO function: EIO");
    /* beyond the BAR */
    check(ERR(pread(nic->fd, buf, 8, roff(nic, 0) + 4096)) == EINVAL &&
          pread(nic->fd, buf, 8, roff(nic, 0) + 4088) == 8,
          "nic0: read past the end of BAR 0 refused, last 8 bytes ok");

    /* ism_vfio_pci: one write = one block, 4 KiB rule */
    memset(buf, 0, sizeof(buf));
    check(ERR(pwrite(ismd->fd, buf, 72, roff(ismd, 2) + 4096 - 64)) ==
          EINVAL &&
          pwrite(ismd->fd, buf, 64, roff(ismd, 2) + 4096 - 64) == 64,
          "ism_vfio_pci: BAR write crossing 4 KiB refused, ending on it ok");
    check(ERR(pwrite(ismd->fd, buf, 4097, roff(ismd, 2))) == EINVAL,
          "ism_vfio_pci: BAR write longer than maxstbl refused");
    check(pread(ismd->fd, buf, 16, roff(ismd, 2)) == 16 &&
          pread(ismd->fd, buf, 7, roff(ismd, 2) + 1) == 7,
          "ism_vfio_pci: BAR reads of 16 and of 7 at 1 (split into loads)");
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

static void test_irqs(Dev *nic, Dev *msid)
{
    char buf[sizeof(struct vfio_irq_set) + 4];
    struct vfio_irq_set *s = (void *)buf;
    struct vfio_irq_info ii = { .argsz = sizeof(ii) };
    int efd = eventfd(0, EFD_NONBLOCK), efd2 = eventfd(0, EFD_NONBLOCK);
    uint32_t v;

    ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
    check(ioctl(nic->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) == 0 &&
          ii.count == 8, "nic0: 8 MSI-X vectors");
    ii.index = VFIO_PCI_MSI_IRQ_INDEX;
    check(ioctl(nic->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) == 0 &&
          ii.count == 0, "nic0: no MSI");
    ii.index = VFIO_PCI_MSI_IRQ_INDEX;
    check(ioctl(msid->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) == 0 &&
          ii.count == 4, "msid: 4 MSI vectors");
    ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
    check(ioctl(msid->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) == 0 &&
          ii.count == 0, "msid: no MSI-X");

    s->argsz = sizeof(buf);
    s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    s->index = VFIO_PCI_MSIX_IRQ_INDEX;
    s->start = 3;
    s->count = 1;
    memcpy(s->data, &efd, 4);
    check(ioctl(nic->fd, VFIO_DEVICE_SET_IRQS, s) == 0,
          "nic0: eventfd for MSI-X vector 3");
    s->start = 8;
    check(ERR(ioctl(nic->fd, VFIO_DEVICE_SET_IRQS, s)) == EINVAL,
          "nic0: MSI-X vector 8 (beyond count) refused");
    v = 3;
    check(pwrite(nic->fd, &v, 4, roff(nic, 0) + 0x800) == 4 &&
          efd_count(efd) == 1, "nic0: doorbell raises MSI-X vector 3");

    s->index = VFIO_PCI_MSI_IRQ_INDEX;
    s->start = 2;
    memcpy(s->data, &efd2, 4);
    check(ioctl(msid->fd, VFIO_DEVICE_SET_IRQS, s) == 0,
          "msid: eventfd for MSI vector 2");
    v = 2;
    check(pwrite(msid->fd, &v, 4, roff(msid, 2)) == 4 &&
          efd_count(efd2) == 1, "msid: doorbell raises MSI vector 2");
    close(efd);
    close(efd2);
}

static void test_cfg(Dev *nic, Dev *ismd)
{
    uint8_t cfg[256];
    uint32_t v = 0xffffffff, bar;
    struct vfio_region_info *ri;

    check(pread(nic->fd, cfg, 256, roff(nic, 7)) == 256 &&
          cfg[0] == 0x14 && cfg[1] == 0x10 && (cfg[6] & 0x10) &&
          cfg[cfg[0x34]] == 0x11, "nic0: config space with MSI-X cap");
    check(pread(ismd->fd, cfg, 256, roff(ismd, 7)) == 256 &&
          cfg[2] == 0xed && cfg[3] == 0x04 && cfg[cfg[0x34]] == 0x05 &&
          cfg[cfg[0x34] + 1] == 0, "ismd: 1014:04ed with only an MSI cap");
    bar = 0;
    if (pwrite(nic->fd, &v, 4, roff(nic, 7) + 0x10) != 4 ||
        pread(nic->fd, &bar, 4, roff(nic, 7) + 0x10) != 4) {
        bar = 0;
    }
    check(bar == 0xfffff004, "nic0: BAR 0 sizing reads back 0x%08x", bar);
    check(ERR(pread(nic->fd, cfg, 8, roff(nic, 7) + 252)) == EINVAL,
          "config read past 256 bytes refused");
    check(region_info(ismd, 0, &ri) == 0 && ri->size == 1ULL << 48 &&
          ri->offset == 0 && region_info(ismd, 7, &ri) == 0 &&
          ri->offset == 7ULL << 48,
          "ism_vfio_pci: BAR 0 is 256 TiB, config at 7 << 48");
    check(region_info(ismd, 8, &ri) == EINVAL &&
          region_info(ismd, 6, &ri) == EINVAL &&
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
          ERR(dma_map(c, iova + PAGE, mem, 2 * PAGE)) == EEXIST &&
          ERR(dma_map(c, 0x1000, mem, PAGE)) == EINVAL &&
          ERR(dma_map(c, iova + 3 * PAGE + 1, mem, PAGE)) == EINVAL &&
          dma_map(c, iova + 3 * PAGE, mem + 3 * PAGE, PAGE) == 0,
          "DMA: after an unmap, overlapping/below-aperture/unaligned maps "
          "refused, a proper one accepted");
    check(ERR(dma_unmap(c, iova + PAGE, PAGE / 2)) == EINVAL &&
          ERR(dma_unmap(c, iova + PAGE, 2 * PAGE)) == 0,
          "DMA: unaligned unmap refused, unmap of whole maps ok");
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
    check(ERR(pread(errs->fd, buf, 8, roff(errs, 0))) == EIO &&
          zio(errs, ZREAD, 0, 0, buf, 8) == EIO &&
          pread(errs->fd, cfg, 4, roff(errs, 7)) == 4,
          "error-state: BAR and region ops EIO, config space still works");
}

static void test_loud(Dev *d)
{
    char c;

    check(ERR(ioctl(d->fd, _IO(VFIO_TYPE, VFIO_BASE + 60))) == ENOTTY,
          "unknown device ioctl fails with ENOTTY (and is reported)");
    check(ERR(read(d->fd, &c, 1)) == EINVAL,
          "read() on a device fd fails (and is reported)");
}

int main(void)
{
    int c1, c2, c3, g10, g13;
    struct vfio_group_status st = { .argsz = sizeof(st) };
    Dev nic, nicp, msid, ismv, ismvm, ismd, ismd2, isms, inj, errs, v3, lim;

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
    ismv = dev_open(group_attach(c1, 11), "ismv", 40);
    ismvm = dev_open(group_attach(c1, 12), "ismvm", 40);
    g13 = group_attach(c1, 13);
    ismd = dev_open(g13, "ismd", 48);
    ismd2 = dev_open(g13, "ismd2", 48);
    isms = dev_open(group_attach(c1, 14), "isms", 40);
    v3 = dev_open(group_attach(c1, 17), "v3", 40);
    nicp = dev_open(group_attach(c1, 18), "nicp", 40);
    msid = dev_open(group_attach(c1, 19), "msid", 40);

    /* Container 2: DMA limit; container 3: fault injection */
    c2 = container_new();
    g13 = group_attach(c2, 20);
    ioctl(c2, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
    lim = dev_open(g13, "lim", 40);
    (void)lim;
    c3 = container_new();
    g10 = group_attach(c3, 21);
    ioctl(c3, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
    inj = dev_open(g10, "inj", 40);
    errs = dev_open(group_attach(c3, 22), "errs", 40);

    test_caps(&nic, 0, 2, true, false, 128, 10);
    test_caps(&ismd, 5, 2, false, true, 4096, 9);
    test_caps(&ismv, 5, 2, false, true, 4096, 9);
    test_caps(&v3, 0, 3, false, false, 128, 9);
    test_cfg(&nic, &ismd);
    test_zio(&nic, &nicp, &msid);
    test_bars(&nic, &ismv, &ismvm, &ismd);
    test_ism(c1, &ismd, &ismd2, &isms);
    test_irqs(&nic, &msid);
    test_iommu(c2);
    test_dma_limit(c2);
    test_faults(c3, &inj, &errs);
    test_loud(&nic);
    note("%d failure(s)", failures);
    return 0;
}
