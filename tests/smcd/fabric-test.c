/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * fabric-test: the simulator's ISM fabric between processes, driven the
 * way a host process drives ISM functions bound to ism_vfio_pci.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 *   fabric-test LIBZPCI-SIM WORKDIR
 *
 * The parent writes the simulator configs and starts peers: copies of
 * this program with LD_PRELOAD=LIBZPCI-SIM, ZPCI_SIM_CONFIG and
 * ZPCI_SIM_FABRIC=WORKDIR/fabric.  A peer opens its ISM functions
 * through /dev/vfio as QEMU does, maps a buffer for DMA, enables memory
 * space and MSI, and registers a status block and an event queue as the
 * ism driver does at probe; then it executes the parent's commands, one
 * line each on its stdin, and answers one line on its stdout.
 *
 * The parent checks what a real ISM network does (the protocol of
 * drivers/s390/net/ism.h and ism_drv.c, and what SMC-D needs of it),
 * not what the simulator's code does, and prints "ok - NAME" or
 * "not ok - NAME: DETAIL"; tests/smcd/run-tests turns them into TAP.
 *
 * Peers: A (function ism0, GID ...a1) and B (ism0, GID ...b2) on CHID
 * 0x7c1; B also has function ism1 (GID ...c3) on CHID 0x7c2, another ISM
 * network.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#define GID_A       0x1c000000000000a1ULL
#define GID_B       0x1c000000000000b2ULL
#define GID_X       0x1c000000000000c3ULL
#define CHID        0x7c1
#define CHID_X      0x7c2
#define TIMEOUT_MS  1000        /* the fabric's answer timeout */
#define BURST       2000        /* blocks each way in the concurrency case */

/* ISM commands (drivers/s390/net/ism.h); requests are big-endian */
#define ISM_REG_SBA     0x1
#define ISM_REG_IEQ     0x2
#define ISM_READ_GID    0x3
#define ISM_QUERY_RGID  0x9
#define ISM_REG_DMB     0xa
#define ISM_SIGNAL_IEQ  0xe
#define ISM_EVENT_SWR   2

/* A function's DMA area: iova = its base + offset */
#define AREA            (1U << 20)
#define SBA_OFF         0x0         /* status block, 4 KiB */
#define IEQ_OFF         0x1000      /* event queue, 4 KiB */
#define DMB_OFF         0x10000     /* DMB n at DMB_OFF + n * DMB_LEN */
#define DMB_LEN         0x10000
#define DMB_SIZE        (DMB_LEN - 0x800)   /* a DMB ends mid-page */
#define SBA_DMB_BITS    4           /* struct ism_sba: dmb_bits[] */
#define SBA_DMBE_MASK   256         /* struct ism_sba: dmbe_mask[] */
#define IOVA_BASE       0x100000000ULL

/* ---- helpers ---------------------------------------------------------- */

static void put64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--, v >>= 8) {
        p[i] = v;
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
}

/* The bytes of a move: a function of seed and position */
static void pattern(uint8_t *p, size_t n, unsigned seed)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed * 29 + i * 13 + (i >> 7));
    }
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the peer ---------------------------------------------------------- */

typedef struct Fn {
    int fd;
    int msi;                    /* eventfd of MSI vector 0 */
    uint8_t *mem;               /* the DMA area */
    uint64_t iova;
} Fn;

static void die(const char *what)
{
    fprintf(stderr, "fabric-test peer: %s: %s\n", what, strerror(errno));
    exit(2);
}

static uint64_t bar_off(int bar)
{
    return (uint64_t)bar << 48;         /* ism_vfio_pci region offsets */
}

/*
 * One command as the ism driver issues it: the body as one block at 8,
 * the 8-byte header as one block at 0, then the response read back.
 * Returns the response's ret (0 or 0xffff) or -errno of a failed access.
 */
static int ism_cmd(Fn *f, uint32_t cmd, uint8_t *req, uint16_t len,
                   unsigned rlen)
{
    uint8_t hdr[8] = { 0 }, r[8];

    put32(hdr, cmd);
    hdr[6] = len >> 8;
    hdr[7] = len;
    if (len > 8 && pwrite(f->fd, req + 8, len - 8, bar_off(2) + 8) !=
        len - 8) {
        return -errno;
    }
    if (pwrite(f->fd, hdr, 8, bar_off(2)) != 8 ||
        pread(f->fd, r, 8, bar_off(2)) != 8) {
        return -errno;
    }
    if (rlen > 8 && pread(f->fd, req + 8, rlen - 8, bar_off(2) + 8) !=
        (ssize_t)(rlen - 8)) {
        return -errno;
    }
    return r[4] << 8 | r[5];
}

static void fn_open(Fn *f, int container, int group, const char *name,
                    uint64_t iova, bool first)
{
    struct vfio_group_status st = { .argsz = sizeof(st) };
    struct vfio_iommu_type1_dma_map m = { .argsz = sizeof(m) };
    char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
    struct vfio_irq_set *irq = (struct vfio_irq_set *)buf;
    uint8_t cmdreg[2] = { 0x06, 0x00 };     /* memory space, bus master */
    uint8_t req[24] = { 0 };
    char path[64];
    int g;

    snprintf(path, sizeof(path), "/dev/vfio/%d", group);
    g = open(path, O_RDWR);
    if (g < 0 || ioctl(g, VFIO_GROUP_GET_STATUS, &st) ||
        ioctl(g, VFIO_GROUP_SET_CONTAINER, &container)) {
        die(path);
    }
    if (first && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
        die("VFIO_SET_IOMMU");
    }
    f->fd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, name);
    if (f->fd < 0) {
        die("VFIO_GROUP_GET_DEVICE_FD");
    }
    f->mem = mmap(NULL, AREA, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (f->mem == MAP_FAILED) {
        die("mmap");
    }
    memset(f->mem, 0, AREA);
    f->iova = iova;
    m.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    m.vaddr = (uintptr_t)f->mem;
    m.iova = iova;
    m.size = AREA;
    if (ioctl(container, VFIO_IOMMU_MAP_DMA, &m)) {
        die("VFIO_IOMMU_MAP_DMA");
    }
    if (pwrite(f->fd, cmdreg, 2, bar_off(7) + 4) != 2) {
        die("command register");
    }
    f->msi = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    irq->argsz = sizeof(buf);
    irq->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    irq->index = VFIO_PCI_MSI_IRQ_INDEX;
    irq->start = 0;
    irq->count = 1;
    memcpy(irq->data, &f->msi, sizeof(int32_t));
    if (ioctl(f->fd, VFIO_DEVICE_SET_IRQS, irq)) {
        die("VFIO_DEVICE_SET_IRQS");
    }
    put64(req + 8, iova + SBA_OFF);
    if (ism_cmd(f, ISM_REG_SBA, req, 16, 0) != 0) {
        die("REG_SBA");
    }
    put64(req + 8, iova + IEQ_OFF);
    put64(req + 16, 4096);
    if (ism_cmd(f, ISM_REG_IEQ, req, 24, 0) != 0) {
        die("REG_IEQ");
    }
}

static uint64_t dmb_addr(uint64_t token, unsigned idx, bool sf, uint64_t off)
{
    return token | (uint64_t)idx << 24 | (uint64_t)sf << 23 | off;
}

/* Execute one command line; print one answer line */
static void peer_command(Fn *fns, int nfns, char *line)
{
    char *argv[10];
    int argc = 0, n;
    uint8_t req[40] = { 0 };
    uint8_t *data;
    Fn *f;

    static const char sep[] = { ' ', '\n', 0 };

    for (char *t = strtok(line, sep); t && argc < 10;
         t = strtok(NULL, sep)) {
        argv[argc++] = t;
    }
    if (argc < 2) {
        printf("error bad command\n");
        return;
    }
    n = atoi(argv[1]);
    if (n < 0 || n >= nfns) {
        printf("error bad function\n");
        return;
    }
    f = &fns[n];
#define ARG(i) strtoull(argv[i], NULL, 0)
    if (!strcmp(argv[0], "gid")) {
        int r = ism_cmd(f, ISM_READ_GID, req, 8, 16);

        printf("ret %d 0x%llx\n", r, (unsigned long long)get64(req + 8));
    } else if (!strcmp(argv[0], "rgid") && argc == 3) {
        put64(req + 8, ARG(2));
        printf("ret %d\n", ism_cmd(f, ISM_QUERY_RGID, req, 24, 0));
    } else if (!strcmp(argv[0], "regdmb") && argc == 5) {
        /* regdmb FN RGID SBA_IDX DMBNO */
        put64(req + 8, f->iova + DMB_OFF + ARG(4) * DMB_LEN);
        put32(req + 16, DMB_SIZE);
        put32(req + 20, ARG(3));
        put64(req + 32, ARG(2));
        n = ism_cmd(f, ISM_REG_DMB, req, 40, 16);
        printf("ret %d 0x%llx\n", n, (unsigned long long)get64(req + 8));
    } else if (!strcmp(argv[0], "move") && argc == 8) {
        /* move FN TOKEN IDX SF OFF LEN SEED */
        size_t len = ARG(6);
        double t0 = now();
        ssize_t r;

        data = malloc(len);
        pattern(data, len, ARG(7));
        r = pwrite(f->fd, data, len, bar_off(0) +
                   dmb_addr(ARG(2), ARG(3), ARG(4), ARG(5)));
        printf("ret %d %.0f\n", r == (ssize_t)len ? 0 : -errno,
               (now() - t0) * 1000);
        free(data);
    } else if (!strcmp(argv[0], "burst") && argc == 5) {
        /*
         * burst FN TOKEN SEED START: BURST 4 KiB blocks round the DMB,
         * beginning at CLOCK_MONOTONIC time START (ms), so that two
         * peers surely move at the same time
         */
        int i, bad = 0;
        double t0, start = ARG(4) / 1000.0;

        while (now() < start) {
            usleep(1000);
        }
        t0 = now();
        data = malloc(4096);
        for (i = 0; i < BURST; i++) {
            pattern(data, 4096, ARG(3) + i);
            if (pwrite(f->fd, data, 4096, bar_off(0) +
                       dmb_addr(ARG(2), 0, false,
                                (i % (DMB_SIZE / 4096)) * 4096)) != 4096) {
                bad++;
                break;          /* one is enough, and quick to report */
            }
        }
        printf("ret %d %.0f %.0f\n", bad, t0 * 1000, now() * 1000);
        free(data);
    } else if (!strcmp(argv[0], "peek") && argc == 6) {
        /*
         * peek FN DMBNO OFF LEN SEED: 0 once the DMB holds the pattern
         * (moves without the signal flag are posted: allow them 2 s to
         * land), else 1 + the offset of the first difference
         */
        size_t len = ARG(4), i;
        volatile uint8_t *p = f->mem + DMB_OFF + ARG(2) * DMB_LEN + ARG(3);
        double until = now() + 2;

        data = malloc(len);
        pattern(data, len, ARG(5));
        do {
            for (i = 0; i < len && p[i] == data[i]; i++) {
                continue;
            }
        } while (i < len && now() < until && usleep(1000) == 0);
        printf("ret %ld\n", i == len ? 0L : (long)i + 1);
        free(data);
    } else if (!strcmp(argv[0], "flood") && argc == 4) {
        /*
         * flood FN TOKEN COUNT: 4 KiB moves until one fails; answers the
         * number that succeeded and the ms from the start to the failure
         */
        int i;
        double t0 = now();

        data = calloc(1, 4096);
        for (i = 0; i < (int)ARG(3); i++) {
            if (pwrite(f->fd, data, 4096, bar_off(0) +
                       dmb_addr(ARG(2), 0, false, 0)) != 4096) {
                break;
            }
        }
        printf("ret %d %.0f\n", i, (now() - t0) * 1000);
        free(data);
    } else if (!strcmp(argv[0], "sba") && argc == 4) {
        /*
         * sba FN SBA_IDX WAIT: summary bit, the DMB's bit, its dmbe
         * mask; with WAIT, once the summary bit is set (or after 2 s)
         */
        volatile uint8_t *s = f->mem + SBA_OFF;
        unsigned idx = ARG(2);
        double until = now() + 2;

        while (ARG(3) && !(s[0] & 0x80) && now() < until) {
            usleep(1000);
        }
        printf("ret %d %d 0x%x\n", !!(s[0] & 0x80),
               !!(s[SBA_DMB_BITS + idx / 8] & (0x80 >> (idx % 8))),
               s[SBA_DMBE_MASK + 2 * idx] << 8 |
               s[SBA_DMBE_MASK + 2 * idx + 1]);
    } else if (!strcmp(argv[0], "msi") && argc == 3) {
        /* msi FN WAIT: MSIs since the last look; with WAIT, up to 2 s */
        struct pollfd pfd = { .fd = f->msi, .events = POLLIN };
        uint64_t cnt = 0;

        if (ARG(2)) {
            poll(&pfd, 1, 2000);
        }
        if (read(f->msi, &cnt, sizeof(cnt)) != sizeof(cnt)) {
            cnt = 0;
        }
        printf("ret %llu\n", (unsigned long long)cnt);
    } else if (!strcmp(argv[0], "signal") && argc == 5) {
        /* signal FN RGID CODE INFO, with the interrupt */
        put64(req + 8, ARG(2));
        put32(req + 16, 1);
        put32(req + 20, ARG(3));
        put64(req + 24, ARG(4));
        printf("ret %d\n", ism_cmd(f, ISM_SIGNAL_IEQ, req, 32, 0));
    } else if (!strcmp(argv[0], "event")) {
        /* the newest entry of the event queue: idx type code tok info */
        volatile uint8_t *q = f->mem + IEQ_OFF;
        uint64_t idx = get64((const uint8_t *)q);
        const uint8_t *e = (const uint8_t *)q + 32 + (idx ? idx - 1 : 0) *
                           32;

        printf("ret %llu %u %u 0x%llx 0x%llx\n", (unsigned long long)idx,
               get32(e), get32(e + 4), (unsigned long long)get64(e + 8),
               (unsigned long long)get64(e + 24));
    } else {
        printf("error unknown command %s\n", argv[0]);
    }
#undef ARG
}

static int peer_main(int nfns)
{
    Fn fns[2];
    char line[256];
    int container = open("/dev/vfio/vfio", O_RDWR), i;

    if (container < 0) {
        die("/dev/vfio/vfio");
    }
    for (i = 0; i < nfns; i++) {
        char name[8];

        snprintf(name, sizeof(name), "ism%d", i);
        fn_open(&fns[i], container, 40 + i, name,
                IOVA_BASE + (uint64_t)i * AREA, i == 0);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("ready\n");
    while (fgets(line, sizeof(line), stdin)) {
        if (!strncmp(line, "quit", 4)) {
            break;
        }
        peer_command(fns, nfns, line);
    }
    return 0;
}

/* ---- the parent -------------------------------------------------------- */

typedef struct Peer {
    const char *tag;
    pid_t pid;
    FILE *in;
    FILE *out;
    char json[512];
} Peer;

static int failures;

static void check(bool ok, const char *name, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void check(bool ok, const char *name, const char *fmt, ...)
{
    va_list ap;

    if (ok) {
        printf("ok - %s\n", name);
    } else {
        failures++;
        printf("not ok - %s: ", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    fflush(stdout);
}

static const char *self_exe;
static const char *lib;
static const char *work;

static void write_config(const char *path, const char *json, int nfns)
{
    static const uint64_t gids[2][2] = { { GID_A, 0 }, { GID_B, GID_X } };
    static const int chids[2] = { CHID, CHID_X };
    GString *s = g_string_new(NULL);
    int i, who = nfns == 2;

    g_string_append_printf(s, "[simulator]\noutput=%s\nhost=linux\n"
                           "log=true\n", json);
    for (i = 0; i < nfns; i++) {
        g_string_append_printf(s, "\n[function ism%d]\nmodel=ism\n"
                               "group=%d\ndriver=ism_vfio_pci\n"
                               "pchid=0x%x\nism-gid=0x%llx\n", i, 40 + i,
                               chids[i], (unsigned long long)gids[who][i]);
    }
    g_file_set_contents(path, s->str, -1, NULL);
    g_string_free(s, TRUE);
}

/* Start a peer with nfns functions (1: A's config, 2: B's) */
static void peer_start(Peer *p, const char *tag, int nfns, int timeout_ms)
{
    char cfg[512], fabric[512], arg[8], tmo[16], line[64];
    int to[2], from[2];

    p->tag = tag;
    snprintf(cfg, sizeof(cfg), "%s/%s.ini", work, tag);
    snprintf(p->json, sizeof(p->json), "%s/%s.json", work, tag);
    snprintf(fabric, sizeof(fabric), "%s/fabric", work);
    write_config(cfg, p->json, nfns);
    if (pipe(to) || pipe(from)) {
        perror("pipe");
        exit(2);
    }
    p->pid = fork();
    if (p->pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        close(to[1]);
        close(from[0]);
        snprintf(arg, sizeof(arg), "%d", nfns);
        setenv("LD_PRELOAD", lib, 1);
        setenv("ZPCI_SIM_CONFIG", cfg, 1);
        setenv("ZPCI_SIM_FABRIC", fabric, 1);
        if (timeout_ms) {
            snprintf(tmo, sizeof(tmo), "%d", timeout_ms);
            setenv("ZPCI_SIM_FABRIC_TIMEOUT_MS", tmo, 1);
        }
        execl(self_exe, self_exe, "--peer", arg, (char *)NULL);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    p->in = fdopen(to[1], "w");
    p->out = fdopen(from[0], "r");
    setvbuf(p->in, NULL, _IOLBF, 0);
    if (!fgets(line, sizeof(line), p->out) || strncmp(line, "ready", 5)) {
        fprintf(stderr, "peer %s did not start\n", tag);
        exit(2);
    }
}

static void send_cmd(Peer *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void send_cmd(Peer *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(p->in, fmt, ap);
    va_end(ap);
    fputc('\n', p->in);
    fflush(p->in);
}

/* The answer "ret V [A B C D]": V, and the rest in x[] */
static long long answer(Peer *p, unsigned long long *x, int nx)
{
    char line[256], *s, *e;
    long long v;
    int i;

    if (!fgets(line, sizeof(line), p->out) || strncmp(line, "ret ", 4)) {
        printf("# peer %s answered: %s", p->tag, line);
        return LLONG_MIN;
    }
    v = strtoll(line + 4, &s, 0);
    for (i = 0; i < nx; i++) {
        x[i] = strtoull(s, &e, 0);
        s = e;
    }
    return v;
}

static long long ask(Peer *p, unsigned long long *x, int nx,
                     const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static long long ask(Peer *p, unsigned long long *x, int nx,
                     const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(p->in, fmt, ap);
    va_end(ap);
    fputc('\n', p->in);
    fflush(p->in);
    return answer(p, x, nx);
}

static void peer_quit(Peer *p)
{
    int st;

    send_cmd(p, "quit");
    waitpid(p->pid, &st, 0);
}

/* A peer's JSON; a plain text search finds the few values checked */
static char *json_text(Peer *p)
{
    char *s = NULL;

    g_file_get_contents(p->json, &s, NULL, NULL);
    return s;
}

static long long json_num(const char *js, const char *key)
{
    char pat[64];
    const char *at;

    snprintf(pat, sizeof(pat), "\"%s\": ", key);
    at = js ? strstr(js, pat) : NULL;
    return at ? strtoll(at + strlen(pat), NULL, 10) : -1;
}

static int count_str(const char *js, const char *needle)
{
    int n = 0;

    for (const char *s = js; s && (s = strstr(s, needle)); s++) {
        n++;
    }
    return n;
}

static char *hex_sha256(const uint8_t *d, size_t n)
{
    return g_compute_checksum_for_data(G_CHECKSUM_SHA256, d, n);
}

static int parent_main(void)
{
    Peer a, b, b2;
    unsigned long long x[4], y[2];
    long long r, r2, flooded = 0;
    uint64_t tok, tok_x, tok_a, tok2;
    double t0;
    char *js, *d1, *d2;
    uint8_t buf[4096];
    int st;

    setvbuf(stdout, NULL, _IOLBF, 0);
    peer_start(&a, "A", 1, TIMEOUT_MS);
    peer_start(&b, "B", 2, TIMEOUT_MS);

    r = ask(&a, x, 1, "gid 0");
    check(r == 0 && x[0] == GID_A, "peer A's function reads its GID",
          "ret %lld gid 0x%llx", r, x[0]);
    r = ask(&b, x, 1, "gid 0");
    check(r == 0 && x[0] == GID_B, "peer B's function reads its GID",
          "ret %lld gid 0x%llx", r, x[0]);

    r = ask(&a, NULL, 0, "rgid 0 0x%llx", GID_B);
    check(r == 0, "QUERY_RGID: a GID in another process on the same ISM "
          "network (CHID) is known", "ret %lld", r);
    r = ask(&a, NULL, 0, "rgid 0 0x%llx", GID_X);
    check(r == 0xffff, "QUERY_RGID: a GID on another ISM network (CHID) "
          "is unknown", "ret %lld", r);
    r = ask(&a, NULL, 0, "rgid 0 0x1c00000000000999");
    check(r == 0xffff, "QUERY_RGID: a GID nobody has is unknown",
          "ret %lld", r);

    r = ask(&b, x, 1, "regdmb 0 0x%llx 5 0", GID_A);
    tok = x[0];
    check(r == 0 && tok, "B registers a DMB for A's GID", "ret %lld token "
          "0x%llx", r, x[0]);

    r = ask(&a, x, 1, "move 0 0x%llx 0 0 13 1003 1", (unsigned long long)
            tok);
    check(r == 0, "A moves 1003 bytes to offset 13 of B's DMB, no signal",
          "ret %lld", r);
    r = ask(&b, NULL, 0, "peek 0 0 13 1003 1");
    check(r == 0, "the 1003 bytes are in B's memory at the DMB's offset 13",
          "first difference at byte %lld", r - 1);
    r = ask(&b, x, 2, "sba 0 5 0");
    check(r == 0 && x[0] == 0 && x[1] == 0, "no signal: B's SBA summary "
          "and DMB bits stay clear", "summary %lld bit %llu mask 0x%llx",
          r, x[0], x[1]);
    r = ask(&b, NULL, 0, "msi 0 0");
    check(r == 0, "no signal: no MSI in B", "%lld MSIs", r);

    r = ask(&a, x, 1, "move 0 0x%llx 3 1 4096 4096 2",
            (unsigned long long)tok);
    check(r == 0, "A moves 4096 bytes with the signal flag, DMB element 3",
          "ret %lld", r);
    r = ask(&b, NULL, 0, "peek 0 0 4096 4096 2");
    check(r == 0, "the 4096 bytes are in B's memory",
          "first difference at byte %lld", r - 1);
    r = ask(&b, x, 2, "sba 0 5 1");
    check(r == 1 && x[0] == 1 && x[1] == (0x8000 >> 3),
          "signal: B's SBA has the summary bit, the DMB's bit (SBA index 5) "
          "and element 3 in its dmbe mask", "summary %lld bit %llu mask "
          "0x%llx", r, x[0], x[1]);
    r = ask(&b, NULL, 0, "msi 0 1");
    check(r == 1, "signal: one MSI in B", "%lld MSIs", r);

    r = ask(&a, x, 1, "move 0 0x%llx 0 0 %d 200 3", (unsigned long long)tok,
            DMB_SIZE - 100);
    check(r == -EIO, "a move beyond the end of B's DMB (within one page) "
          "fails with EIO", "ret %lld", r);
    r = ask(&a, x, 1, "move 0 0x%llx 0 0 0 64 3",
            (unsigned long long)(tok + (0x100ULL << 32)));
    check(r == -EIO, "a move to a token B never registered fails with EIO",
          "ret %lld", r);
    r = ask(&a, x, 1, "move 0 0x%llx 0 0 0 64 3",
            (unsigned long long)((tok & ~(0xfULL << 44)) | 0xfULL << 44));
    check(r == -EIO, "a move to a token of a process that is not on the "
          "network fails with EIO", "ret %lld", r);
    r = ask(&b, x, 1, "regdmb 0 0x%llx 6 1", GID_X);
    tok_x = x[0];
    r = r ? r : ask(&a, x, 1, "move 0 0x%llx 0 0 0 64 3",
                    (unsigned long long)tok_x);
    check(r == -EIO, "a move to a DMB B registered for another GID fails "
          "with EIO", "ret %lld", r);

    r = ask(&b, x, 1, "regdmb 1 0x%llx 7 0", GID_A);
    r = r ? r : ask(&a, x, 1, "move 0 0x%llx 0 0 0 64 3",
                    (unsigned long long)x[0]);
    check(r == -EIO, "a move to a DMB of a function on another ISM network "
          "(CHID) fails with EIO", "ret %lld", r);

    r = ask(&b, NULL, 0, "signal 0 0x%llx 7 0x55", GID_A);
    check(r == 0, "B signals an event to A's GID (SIGNAL_IEQ)", "ret %lld",
          r);
    r = ask(&a, x, 4, "event 0");
    check(r == 1 && x[0] == ISM_EVENT_SWR && x[1] == 7 && x[2] == GID_B &&
          x[3] == 0x55, "A's event queue: one software event, code 7, "
          "from B's GID, info 0x55", "idx %lld type %llu code %llu tok "
          "0x%llx info 0x%llx", r, x[0], x[1], x[2], x[3]);
    r = ask(&a, NULL, 0, "msi 0 1");
    check(r == 1, "the signal raised A's MSI", "%lld MSIs", r);

    /* Both ways at once: neither process may wait for the other's lock */
    r = ask(&a, x, 1, "regdmb 0 0x%llx 9 0", GID_B);
    tok_a = x[0];
    t0 = now();
    send_cmd(&a, "burst 0 0x%llx 100 %.0f", (unsigned long long)tok,
             (t0 + 0.2) * 1000);
    send_cmd(&b, "burst 0 0x%llx 200 %.0f", (unsigned long long)tok_a,
             (t0 + 0.2) * 1000);
    r = answer(&a, x, 2);
    y[0] = x[0];
    y[1] = x[1];
    r2 = answer(&b, x, 2);
    check(r == 0 && r2 == 0, "A and B each move 2000 blocks of 4 KiB to the "
          "other at the same time: all succeed", "%lld and %lld failed", r,
          r2);
    printf("# concurrent moves: A %.0f ms, B %.0f ms, overlapping %.0f ms\n",
           (double)(y[1] - y[0]), (double)(x[1] - x[0]),
           (double)MIN(y[1], x[1]) - (double)MAX(y[0], x[0]));
    check(MIN(y[1], x[1]) > MAX(y[0], x[0]), "the two bursts overlapped in "
          "time", "A %llu..%llu ms, B %llu..%llu ms", y[0], y[1], x[0],
          x[1]);
    r = ask(&b, NULL, 0, "peek 0 0 %d 4096 %d",
            ((BURST - 1) % (DMB_SIZE / 4096)) * 4096, 100 + BURST - 1);
    check(r == 0, "B's DMB holds the last block A moved", "first "
          "difference at byte %lld", r - 1);

    /* B's host side: JSON after B exits */
    peer_quit(&b);
    js = json_text(&b);
    pattern(buf, 1003, 1);
    d1 = hex_sha256(buf, 1003);
    pattern(buf, 4096, 2);
    d2 = hex_sha256(buf, 4096);
    check(js && strstr(js, d1) && strstr(js, d2),
          "B's simulator logged the moves into its DMB with the SHA-256 of "
          "the bytes A sent", "digests %s %s in %s: %s", d1, d2, b.json,
          js ? "missing" : "no file");
    check(json_num(js, "rx_moves") == 2 + BURST &&
          json_num(js, "rx_bytes") == 1003 + 4096 + BURST * 4096LL,
          "B's fabric counters: every move A made arrived, bytes summed",
          "rx_moves %lld rx_bytes %lld", json_num(js, "rx_moves"),
          json_num(js, "rx_bytes"));
    check(count_str(js, "\"error\"") == 0 && js &&
          strstr(js, "\"errors\": []"), "B's simulator reported no errors",
          "%s", js ? strstr(js, "\"errors\"") : "no JSON");
    g_free(js);
    g_free(d1);
    g_free(d2);

    /* A peer that goes away */
    t0 = now();
    r = ask(&a, x, 1, "move 0 0x%llx 0 0 0 64 4", (unsigned long long)tok);
    check(r == -EIO && now() - t0 < 0.5, "B has exited: A's move to its "
          "DMB fails with EIO at once", "ret %lld after %.0f ms", r,
          (now() - t0) * 1000);
    r = ask(&a, NULL, 0, "rgid 0 0x%llx", GID_B);
    check(r == 0xffff, "B has exited: QUERY_RGID no longer finds its GID",
          "ret %lld", r);

    peer_start(&b2, "B2", 2, TIMEOUT_MS);
    r = ask(&b2, x, 1, "regdmb 0 0x%llx 5 0", GID_A);
    tok2 = x[0];
    kill(b2.pid, SIGSTOP);
    waitpid(b2.pid, &st, WUNTRACED);       /* stopped for sure */
    r = ask(&a, x, 1, "flood 0 0x%llx 100000", (unsigned long long)tok2);
    flooded = r;
    check(r >= 0 && r < 100000 && x[0] >= TIMEOUT_MS &&
          x[0] < TIMEOUT_MS + 2000, "a peer that stops taking moves: A's "
          "moves fail with EIO once the connection is full, after the "
          "fabric's timeout", "%lld moves passed, the failure after %llu ms "
          "(timeout %d ms)", r, x[0], TIMEOUT_MS);
    kill(b2.pid, SIGKILL);
    waitpid(b2.pid, NULL, 0);
    t0 = now();
    r = ask(&a, x, 1, "move 0 0x%llx 0 0 0 64 5", (unsigned long long)tok2);
    check(r == -EIO && now() - t0 < 0.5, "a peer killed without cleaning "
          "up: A's move fails with EIO at once", "ret %lld after %.0f ms",
          r, (now() - t0) * 1000);

    peer_quit(&a);
    js = json_text(&a);
    check(js && json_num(js, "tx_moves") == 2 + BURST + flooded &&
          json_num(js, "tx_bytes") == 1003 + 4096 + (BURST + flooded) *
          4096LL && json_num(js, "tx_failed") == 8,
          "A's fabric counters: the moves that arrived and the 8 that failed",
          "tx_moves %lld tx_bytes %lld tx_failed %lld",
          json_num(js, "tx_moves"), json_num(js, "tx_bytes"),
          json_num(js, "tx_failed"));
    check(js && strstr(js, "move beyond the end of the DMB") &&
          strstr(js, "DMB registered for another GID") &&
          strstr(js, "DMB on another ISM network (CHID)") &&
          strstr(js, "did not take the move within"),
          "A's simulator logged each failed move as a reject with its "
          "reason", "%s", js ? "a reason is missing" : "no JSON");
    g_free(js);
    printf("fabric-test: %d failed\n", failures);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--peer")) {
        return peer_main(atoi(argv[2]));
    }
    if (argc != 3) {
        fprintf(stderr, "usage: fabric-test LIBZPCI-SIM WORKDIR\n");
        return 2;
    }
    self_exe = "/proc/self/exe";
    self_exe = realpath(self_exe, NULL);
    lib = argv[1];
    work = argv[2];
    g_mkdir_with_parents(work, 0700);
    return parent_main();
}
