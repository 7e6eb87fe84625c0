/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * smcxfer: move N MiB each way over one AF_SMC (or TCP) stream socket,
 * check every byte, and ask the kernel (smc_diag) whether the connection
 * runs as SMC-D.
 *
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Runs inside the s390x test guests of tests/smcd (static binary; Debian
 * ships no smc-tools).  Usage:
 *
 *   smcxfer server [-t] [-A] [-p PORT] [-m MIB] [-s SEED] [-T SECONDS]
 *   smcxfer client [-t] [-A] -a ADDR [-p PORT] [-m MIB] [-s SEED]
 *                  [-T SECONDS]
 *
 * -t uses AF_INET/TCP instead of AF_SMC (the comparison run).  The client
 * sends MIB MiB to the server, the server answers with the SHA-256 of
 * what it received; then the server sends MIB MiB back and the client
 * answers with its digest.  Both streams are a deterministic function of
 * the seed and the direction, so each receiver checks every byte against
 * its own copy of the stream as well.  Send and receive sizes and buffer
 * offsets are drawn at random and are never multiples of 8 (with -A
 * they all are, and the data then starts doubleword aligned: a
 * diagnostic to tell alignment problems apart).  After
 * SECONDS (default 600) it gives up with "not ok - finished in time".
 *
 * Output, one line each (read by tests/smcd/run-tests):
 *   "ok - NAME" / "not ok - NAME: DETAIL"   checks
 *   "# diag ..."                            what smc_diag says
 *   "# xfer dir=c2s|s2c role=... bytes=N secs=S sha256=HEX"
 *   "smcxfer: done N checks, F failed"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/smc_diag.h>

#ifndef AF_SMC
#define AF_SMC 43
#endif
#define SMCPROTO_SMC 0          /* IPv4 SMC socket (net/smc/smc.h) */

#define MAX_CHUNK   (96 * 1024 + 5)
#define STALL_SECS  20
#define DIGEST_LEN  32

static int checks, failures;
static bool use_tcp;

static void check(bool ok, const char *name, const char *fmt, ...)
{
    va_list ap;

    checks++;
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

static void die(const char *name, const char *what)
{
    check(false, name, "%s: %s", what, strerror(errno));
    printf("smcxfer: done %d checks, %d failed\n", checks, failures);
    exit(1);
}

/* ---- SHA-256 (FIPS 180-4) --------------------------------------------- */

typedef struct {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    unsigned fill;
} Sha256;

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror32(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_init(Sha256 *s)
{
    static const uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };

    memcpy(s->h, iv, sizeof(iv));
    s->len = 0;
    s->fill = 0;
}

static void sha256_block(Sha256 *s, const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
    int i;

    for (i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
                      (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
                      (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = s->h[0];
    b = s->h[1];
    c = s->h[2];
    d = s->h[3];
    e = s->h[4];
    f = s->h[5];
    g = s->h[6];
    h = s->h[7];
    for (i = 0; i < 64; i++) {
        t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
             ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
        t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
             ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
    s->h[5] += f;
    s->h[6] += g;
    s->h[7] += h;
}

static void sha256_update(Sha256 *s, const uint8_t *p, size_t n)
{
    s->len += n;
    while (n >= 64 && s->fill == 0) {
        sha256_block(s, p);
        p += 64;
        n -= 64;
    }
    while (n) {
        size_t take = 64 - s->fill;

        if (take > n) {
            take = n;
        }
        memcpy(s->buf + s->fill, p, take);
        s->fill += take;
        p += take;
        n -= take;
        if (s->fill == 64) {
            sha256_block(s, s->buf);
            s->fill = 0;
        }
    }
}

static void sha256_final(Sha256 *s, uint8_t out[DIGEST_LEN])
{
    uint64_t bits = s->len * 8;
    uint8_t pad = 0x80, zero = 0, lenb[8];
    int i;

    sha256_update(s, &pad, 1);
    while (s->fill != 56) {
        sha256_update(s, &zero, 1);
    }
    for (i = 0; i < 8; i++) {
        lenb[i] = bits >> (56 - 8 * i);
    }
    sha256_update(s, lenb, 8);
    for (i = 0; i < 8; i++) {
        out[4 * i] = s->h[i] >> 24;
        out[4 * i + 1] = s->h[i] >> 16;
        out[4 * i + 2] = s->h[i] >> 8;
        out[4 * i + 3] = s->h[i];
    }
}

static void hex(const uint8_t *d, char *out)
{
    int i;

    for (i = 0; i < DIGEST_LEN; i++) {
        sprintf(out + 2 * i, "%02x", d[i]);
    }
}

/* ---- the data stream and the chunk sizes ------------------------------ */

/* xorshift64*: a byte stream that both ends can produce independently */
typedef struct {
    uint64_t x;
    uint8_t out[8];
    unsigned left;
} Stream;

static uint64_t rnd64(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545f4914f6cdd1dULL;
}

static void stream_init(Stream *s, uint64_t seed)
{
    s->x = seed ? seed : 1;
    s->left = 0;
}

static void stream_fill(Stream *s, uint8_t *p, size_t n)
{
    while (n >= 8 && !s->left) {
        /* the stream is little-endian words, on any host */
        uint64_t v = htole64(rnd64(&s->x));

        memcpy(p, &v, 8);
        p += 8;
        n -= 8;
    }
    while (n--) {
        if (!s->left) {
            uint64_t v = rnd64(&s->x);
            int i;

            for (i = 0; i < 8; i++) {
                s->out[i] = v >> (8 * i);
            }
            s->left = 8;
        }
        *p++ = s->out[8 - s->left--];
    }
}

/*
 * The next chunk of a transfer at stream position pos: a random size in
 * 1..max that is not a multiple of 8 and does not end on a multiple of 8,
 * so that no chunk but the first starts doubleword aligned (the last one
 * takes what is left).
 */
static bool aligned_chunks;

static size_t chunk(uint64_t *x, uint64_t pos, uint64_t total, size_t max)
{
    size_t n = rnd64(x) % max + 1;

    if (aligned_chunks) {
        /* -A: multiples of 8 only (to tell alignment problems apart) */
        n = (n + 7) & ~(size_t)7;
    } else {
        while (n % 8 == 0 || (pos + n) % 8 == 0) {
            n = n > 8 ? n - 1 : n + 1;
        }
    }
    return n < total - pos ? n : total - pos;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- smc_diag ---------------------------------------------------------- */

typedef struct {
    bool found;
    int mode;                   /* SMC_DIAG_MODE_* */
    uint32_t fallback_reason;
    uint32_t peer_diagnosis;
    bool have_dmb;
    struct smcd_diag_dmbinfo dmb;
    bool have_conn;
    struct smc_diag_conninfo conn;
} DiagInfo;

/*
 * Dump every AF_SMC socket through NETLINK_SOCK_DIAG (smc_diag.ko) and
 * pick the one whose inode is that of fd.  Returns false if the dump
 * itself failed.
 */
static bool smc_diag(int fd, DiagInfo *di)
{
    struct {
        struct nlmsghdr nh;
        struct smc_diag_req req;
    } msg;
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    static uint8_t buf[65536];
    struct stat st;
    int nl;
    bool done = false;

    memset(di, 0, sizeof(*di));
    if (fstat(fd, &st) < 0) {
        return false;
    }
    nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) {
        return false;
    }
    memset(&msg, 0, sizeof(msg));
    msg.nh.nlmsg_len = sizeof(msg);
    msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.nh.nlmsg_seq = 1;
    msg.req.diag_family = AF_SMC;
    msg.req.diag_ext = (1 << (SMC_DIAG_CONNINFO - 1)) |
                       (1 << (SMC_DIAG_DMBINFO - 1));
    if (sendto(nl, &msg, sizeof(msg), 0, (struct sockaddr *)&sa,
               sizeof(sa)) < 0) {
        close(nl);
        return false;
    }
    while (!done) {
        ssize_t n = recv(nl, buf, sizeof(buf), 0);
        struct nlmsghdr *nh;

        if (n <= 0) {
            close(nl);
            return false;
        }
        for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
             nh = NLMSG_NEXT(nh, n)) {
            struct smc_diag_msg *r = NLMSG_DATA(nh);
            struct nlattr *a;
            int alen;

            if (nh->nlmsg_type == NLMSG_DONE) {
                done = true;
                break;
            }
            if (nh->nlmsg_type == NLMSG_ERROR) {
                close(nl);
                errno = -((struct nlmsgerr *)NLMSG_DATA(nh))->error;
                return false;
            }
            if (r->diag_inode != st.st_ino) {
                continue;
            }
            di->found = true;
            di->mode = r->diag_mode;
            a = (struct nlattr *)((uint8_t *)r + NLMSG_ALIGN(sizeof(*r)));
            alen = nh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*r)));
            while (alen >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
                   a->nla_len <= alen) {
                void *p = (uint8_t *)a + NLA_HDRLEN;
                unsigned plen = a->nla_len - NLA_HDRLEN;

                switch (a->nla_type) {
                case SMC_DIAG_FALLBACK:
                    if (plen >= sizeof(struct smc_diag_fallback)) {
                        struct smc_diag_fallback *fb = p;

                        di->fallback_reason = fb->reason;
                        di->peer_diagnosis = fb->peer_diagnosis;
                    }
                    break;
                case SMC_DIAG_DMBINFO:
                    if (plen >= sizeof(di->dmb)) {
                        memcpy(&di->dmb, p, sizeof(di->dmb));
                        di->have_dmb = true;
                    }
                    break;
                case SMC_DIAG_CONNINFO:
                    if (plen >= sizeof(di->conn)) {
                        memcpy(&di->conn, p, sizeof(di->conn));
                        di->have_conn = true;
                    }
                    break;
                }
                alen -= NLA_ALIGN(a->nla_len);
                a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len));
            }
        }
    }
    close(nl);
    return true;
}

static const char *mode_name(int mode)
{
    switch (mode) {
    case SMC_DIAG_MODE_SMCR:
        return "SMCR";
    case SMC_DIAG_MODE_FALLBACK_TCP:
        return "FALLBACK_TCP";
    case SMC_DIAG_MODE_SMCD:
        return "SMCD";
    default:
        return "UNKNOWN";
    }
}

static void print_cursors(const struct smc_diag_conninfo *c)
{
    printf(" rx_prod=%u:%u rx_cons=%u:%u tx_prod=%u:%u tx_cons=%u:%u "
           "tx_prep=%u:%u tx_sent=%u:%u tx_fin=%u:%u",
           c->rx_prod.wrap, c->rx_prod.count, c->rx_cons.wrap,
           c->rx_cons.count, c->tx_prod.wrap, c->tx_prod.count,
           c->tx_cons.wrap, c->tx_cons.count, c->tx_prep.wrap,
           c->tx_prep.count, c->tx_sent.wrap, c->tx_sent.count,
           c->tx_fin.wrap, c->tx_fin.count);
}

/* Print what smc_diag says about fd ("# diag when=WHEN ..."); false if
 * the socket is not in the dump */
static bool print_diag(int fd, const char *when, DiagInfo *di)
{
    if (!smc_diag(fd, di)) {
        printf("# diag when=%s failed: %s\n", when, strerror(errno));
        return false;
    }
    if (!di->found) {
        printf("# diag when=%s: socket not in the smc_diag dump\n", when);
        return false;
    }
    printf("# diag when=%s mode=%s fallback_reason=0x%08x "
           "peer_diagnosis=0x%08x", when, mode_name(di->mode),
           di->fallback_reason, di->peer_diagnosis);
    if (di->have_dmb) {
        printf(" my_gid=0x%016llx peer_gid=0x%016llx token=0x%016llx "
               "peer_token=0x%016llx",
               (unsigned long long)di->dmb.my_gid,
               (unsigned long long)di->dmb.peer_gid,
               (unsigned long long)di->dmb.token,
               (unsigned long long)di->dmb.peer_token);
    }
    if (di->have_conn) {
        printf(" sndbuf=%u rmbe=%u peer_rmbe=%u", di->conn.sndbuf_size,
               di->conn.rmbe_size, di->conn.peer_rmbe_size);
        print_cursors(&di->conn);
    }
    printf("\n");
    return true;
}

/* Report what the kernel says about the connection on fd */
static void report_mode(int fd, const char *when)
{
    char name[96];
    DiagInfo di;

    snprintf(name, sizeof(name), "connection runs as SMC-D (%s)", when);
    if (use_tcp) {
        return;
    }
    if (!print_diag(fd, when, &di)) {
        check(false, name, "no smc_diag information");
        return;
    }
    if (di.mode == SMC_DIAG_MODE_FALLBACK_TCP) {
        check(false, name, "fell back to TCP, SMC decline code 0x%08x "
              "(peer diagnosis 0x%08x)", di.fallback_reason,
              di.peer_diagnosis);
    } else {
        check(di.mode == SMC_DIAG_MODE_SMCD && di.have_dmb, name,
              "mode %s, DMB info %s", mode_name(di.mode),
              di.have_dmb ? "present" : "missing");
    }
}

/*
 * A send or receive that made no progress for STALL_SECS: say where the
 * connection's cursors stand, then keep waiting (the alarm bounds it).
 */
static void stalled(int fd, const char *what)
{
    DiagInfo di;
    char when[32];

    snprintf(when, sizeof(when), "stalled-%s", what);
    if (use_tcp) {
        printf("# %s: no progress for %d s\n", when, STALL_SECS);
    } else {
        print_diag(fd, when, &di);
    }
}

/* ---- the transfer ------------------------------------------------------ */

/* The whole stream of one direction, at an odd address */
static uint8_t *stream_buffer(uint64_t total, size_t lead, uint8_t **mem)
{
    *mem = malloc(total + 16);
    if (!*mem) {
        die("stream buffer", "malloc");
    }
    return *mem + lead;
}

static void stream_make(uint8_t *p, uint64_t seed, uint64_t total)
{
    Stream st;

    stream_init(&st, seed);
    stream_fill(&st, p, total);
}

static bool send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = send(fd, p, n, MSG_NOSIGNAL);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            stalled(fd, "send");
            continue;
        }
        if (r <= 0) {
            return false;
        }
        p += r;
        n -= r;
    }
    return true;
}

static bool recv_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = recv(fd, p, n, 0);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            stalled(fd, "recv");
            continue;
        }
        if (r <= 0) {
            if (r == 0) {
                errno = ECONNRESET;
            }
            return false;
        }
        p += r;
        n -= r;
    }
    return true;
}

/*
 * Send total bytes of the stream of seed in chunks of odd sizes from odd
 * addresses; the time runs from the first send to the receiver's one-byte
 * acknowledgement of the last byte.  Then compare the receiver's digest.
 */
static void sender(int fd, const char *dir, uint64_t seed, uint64_t total)
{
    uint64_t sizes = seed * 31 + 7, sent = 0;
    uint8_t mine[DIGEST_LEN], theirs[DIGEST_LEN], ack, *mem, *data;
    char hm[2 * DIGEST_LEN + 1], ht[2 * DIGEST_LEN + 1], name[80];
    Sha256 sh;
    double t0, t1;

    t0 = now();
    data = stream_buffer(total, aligned_chunks ? 8 : 5, &mem);
    stream_make(data, seed, total);
    t1 = now();
    sha256_init(&sh);
    sha256_update(&sh, data, total);
    sha256_final(&sh, mine);
    hex(mine, hm);
    printf("# prep dir=%s stream %.2f s sha256 %.2f s\n", dir, t1 - t0,
           now() - t1);
    t0 = now();
    while (sent < total) {
        size_t n = chunk(&sizes, sent, total, MAX_CHUNK);

        if (!send_all(fd, data + sent, n)) {
            snprintf(name, sizeof(name), "%s: send %llu bytes", dir,
                     (unsigned long long)total);
            die(name, "send");
        }
        sent += n;
    }
    snprintf(name, sizeof(name), "%s: receiver acknowledges", dir);
    if (!recv_all(fd, &ack, 1)) {
        die(name, "recv");
    }
    t1 = now();
    snprintf(name, sizeof(name), "%s: receiver's digest arrives", dir);
    if (!recv_all(fd, theirs, DIGEST_LEN)) {
        die(name, "recv");
    }
    hex(theirs, ht);
    printf("# xfer dir=%s role=sender bytes=%llu secs=%.6f sha256=%s\n", dir,
           (unsigned long long)total, t1 - t0, hm);
    snprintf(name, sizeof(name), "%s: receiver's SHA-256 equals sender's",
             dir);
    check(!memcmp(mine, theirs, DIGEST_LEN), name, "sent %s, received %s",
          hm, ht);
    free(mem);
}

/*
 * Receive total bytes in chunks of odd sizes at odd addresses, acknowledge
 * the last byte at once, then check every byte and answer the digest.
 */
static void receiver(int fd, const char *dir, uint64_t seed, uint64_t total)
{
    uint64_t sizes = seed * 17 + 3, got = 0, i;
    uint8_t d[DIGEST_LEN], ack = 0x55, *mem, *emem, *data, *expect;
    char h[2 * DIGEST_LEN + 1], name[80];
    Sha256 sh;
    double t0 = 0, t1, t2, t3;

    data = stream_buffer(total, aligned_chunks ? 8 : 3, &mem);
    while (got < total) {
        size_t want = chunk(&sizes, got, total, MAX_CHUNK);
        ssize_t r;

        r = recv(fd, data + got, want, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            stalled(fd, "recv");
            continue;
        }
        if (r <= 0) {
            snprintf(name, sizeof(name), "%s: receive %llu bytes", dir,
                     (unsigned long long)total);
            if (r == 0) {
                errno = ECONNRESET;
            }
            die(name, "recv");
        }
        if (!got) {
            t0 = now();
        }
        got += r;
    }
    t1 = now();
    snprintf(name, sizeof(name), "%s: acknowledge", dir);
    if (!send_all(fd, &ack, 1)) {
        die(name, "send");
    }
    t2 = now();
    sha256_init(&sh);
    sha256_update(&sh, data, total);
    sha256_final(&sh, d);
    hex(d, h);
    printf("# xfer dir=%s role=receiver bytes=%llu secs=%.6f sha256=%s\n",
           dir, (unsigned long long)total, t1 - t0, h);
    t3 = now();
    expect = stream_buffer(total, 0, &emem);
    stream_make(expect, seed, total);
    i = 0;
    if (memcmp(data, expect, total)) {
        while (data[i] == expect[i]) {
            i++;
        }
    } else {
        i = total;
    }
    printf("# check dir=%s sha256 %.2f s stream and compare %.2f s\n", dir,
           t3 - t2, now() - t3);
    snprintf(name, sizeof(name), "%s: every byte as sent", dir);
    check(i == total, name, "first wrong byte at offset %llu of %llu",
          (unsigned long long)i, (unsigned long long)total);
    snprintf(name, sizeof(name), "%s: send the digest back", dir);
    if (!send_all(fd, d, DIGEST_LEN)) {
        die(name, "send");
    }
    free(emem);
    free(mem);
}

static int make_socket(void)
{
    int fd;

    if (use_tcp) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
    } else {
        fd = socket(AF_SMC, SOCK_STREAM, SMCPROTO_SMC);
    }
    if (fd < 0) {
        die(use_tcp ? "socket(AF_INET)" : "socket(AF_SMC)", "socket");
    }
    return fd;
}

static void usage(void)
{
    fprintf(stderr, "usage: smcxfer server|client [-t] [-A] [-a ADDR] "
            "[-p PORT] [-m MIB] [-s SEED] [-T SECONDS]\n");
    exit(2);
}

/* A connection that stops moving never blocks the guest forever */
static void on_alarm(int sig)
{
    static const char msg[] = "not ok - finished in time: smcxfer timed "
                               "out\nsmcxfer: done, timed out\n";

    (void)sig;
    if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
        _exit(3);
    }
    _exit(3);
}

int main(int argc, char **argv)
{
    const char *addr = NULL, *role;
    int port = 7777, mib = 16, opt, fd, one = 1, limit = 600;
    uint64_t seed = 1, total;
    struct sockaddr_in sin = { .sin_family = AF_INET };
    struct sigaction sa = { .sa_flags = 0 };
    bool server;
    double t0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        usage();
    }
    role = argv[1];
    server = !strcmp(role, "server");
    if (!server && strcmp(role, "client")) {
        usage();
    }
    optind = 2;
    while ((opt = getopt(argc, argv, "tAa:p:m:s:T:")) != -1) {
        switch (opt) {
        case 'A':
            aligned_chunks = true;
            break;
        case 't':
            use_tcp = true;
            break;
        case 'a':
            addr = optarg;
            break;
        case 'p':
            port = atoi(optarg);
            break;
        case 'm':
            mib = atoi(optarg);
            break;
        case 's':
            seed = strtoull(optarg, NULL, 0);
            break;
        case 'T':
            limit = atoi(optarg);
            break;
        default:
            usage();
        }
    }
    if ((!server && !addr) || mib <= 0) {
        usage();
    }
    total = (uint64_t)mib << 20;
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(limit);
    printf("# smcxfer %s %s port %d, %d MiB each way, seed %llu\n", role,
           use_tcp ? "TCP" : "AF_SMC", port, mib, (unsigned long long)seed);
    fflush(stdout);

    sin.sin_port = htons(port);
    fd = make_socket();
    t0 = now();
    if (server) {
        int lfd = fd;

        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
            die("bind", "bind");
        }
        if (listen(lfd, 1) < 0) {
            die("listen", "listen");
        }
        printf("# listening\n");
        fflush(stdout);
        fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            die("accept", "accept");
        }
        close(lfd);
    } else {
        if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
            usage();
        }
        /* the server guest may still be booting: retry for a while */
        while (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
            if ((errno != ECONNREFUSED && errno != ENETUNREACH &&
                 errno != EHOSTUNREACH && errno != ETIMEDOUT) ||
                now() - t0 > 120) {
                die("connect", "connect");
            }
            close(fd);
            usleep(200000);
            fd = make_socket();
        }
    }
    printf("# connected after %.3f s\n", now() - t0);
    {
        struct timeval tv = { .tv_sec = STALL_SECS };

        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    }
    check(true, server ? "accept" : "connect", "");
    report_mode(fd, "connected");

    if (server) {
        receiver(fd, "c2s", seed * 2 + 1, total);
        sender(fd, "s2c", seed * 2 + 2, total);
    } else {
        sender(fd, "c2s", seed * 2 + 1, total);
        receiver(fd, "s2c", seed * 2 + 2, total);
    }
    report_mode(fd, "transferred");
    shutdown(fd, SHUT_WR);
    close(fd);
    printf("smcxfer: done %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
