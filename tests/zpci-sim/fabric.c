/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: the ISM fabric: one internal shared memory network for the
 * ism functions of several processes (several QEMUs, several guests).
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * ZPCI_SIM_FABRIC=DIR puts every ism function of the process on the
 * network kept in DIR.  A function joins when it executes its first
 * command (the driver's probe), so processes that merely inherit
 * LD_PRELOAD never do.  In DIR:
 *
 *   slot-N      one per process on the network (N = 1..15): its pid and
 *               the path of its socket.  N is the top nibble of the
 *               process's DMB tokens (N << 44 | seq << 32), so a token
 *               names the process that owns the DMB, as a real ISM token
 *               names its DMB network-wide.
 *   gid-GID     one per function: pid, slot, CHID (the ISM network's
 *               pchid) and name; for QUERY_RGID and SIGNAL_IEQ.
 *   dmbs        the registered DMBs of the network, one 32-byte entry
 *               per token (owner GID, CHID, length, the GID allowed to
 *               write), shared memory written by the owner at REG_DMB
 *               and UNREG_DMB.
 *   s-N.sock    the process's listening socket (AF_UNIX, stream).
 *
 * A move to a DMB of another process is checked by the sender against
 * the shared DMB table, with the refusals of a local move (unknown
 * token, beyond the end, registered for another GID, another ISM
 * network), so a refused move fails the sender's PCI Store Block at
 * once, as on a real ISM.  An accepted move is posted: one message on
 * the sender's connection to the owner's socket, in order, and no round
 * trip: the sender goes on as soon as the message is written.  A thread
 * of the owner takes the simulator lock and hands the move to the ism
 * model (sim_ism_deliver()), which writes the bytes into its guest's
 * memory through its own DMA map and, with the signal flag, sets the SBA
 * and DMB bits and raises the MSI.  Moves from one sender land in the
 * order they were made, so the data of an SMC-D connection is in the
 * peer's DMB before the signalling move that announces it.  The owner
 * checks each move again; one refused there (its DMB was unregistered
 * while the move travelled) is counted and logged on the owner's side.
 *
 * The sender does not hold the simulator lock while it talks to a peer,
 * so two processes moving to each other never wait for each other's
 * lock.  A peer that is gone (connection refused or closed) or does not
 * take a message or answer within the timeout (FABRIC_TIMEOUT_MS, or
 * $ZPCI_SIM_FABRIC_TIMEOUT_MS) makes the move fail with EIO: nobody
 * waits forever.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fabric.h"

#define FABRIC_MAGIC        0x49534d46U     /* "ISMF" */
#define FABRIC_MAX_SLOT     15
#define FABRIC_TIMEOUT_MS   10000
#define FABRIC_MAX_MOVE     65536
#define FABRIC_TOKENS       65536           /* token bits 32..47 */
#define ISM_TOKEN_SHIFT     32
#define ISM_DMB_OFF_MASK    ((1U << 23) - 1)

enum {
    FABRIC_MOVE = 1,            /* posted: no answer */
    FABRIC_SIGNAL = 2,          /* SIGNAL_IEQ, answered */
};

/* One request on the wire (both ends run on the same host) */
typedef struct FabricReq {
    uint32_t magic;
    uint32_t type;
    uint64_t from_gid;
    uint64_t addr;              /* MOVE: BAR 0 offset; SIGNAL: target GID */
    uint64_t info;              /* SIGNAL: the event's info */
    uint32_t code;              /* SIGNAL: the event's code */
    uint32_t trigger;           /* SIGNAL: raise the target's interrupt */
    uint32_t len;               /* MOVE: bytes that follow */
    uint16_t chid;              /* the sender's CHID (pchid) */
    uint16_t pad;
} FabricReq;

typedef struct FabricRep {
    int32_t status;             /* 0 or -errno */
    char why[92];
} FabricRep;

/* An entry of the shared DMB table (DIR/dmbs), indexed by token */
typedef struct FabricDmb {
    uint32_t state;             /* 1: registered (written last) */
    uint16_t chid;
    uint16_t slot;
    uint32_t len;
    uint32_t pad;
    uint64_t owner_gid;
    uint64_t rgid;              /* 0: any GID may write */
} FabricDmb;

/* What one function did on the fabric (JSON "state"."fabric") */
typedef struct FabricStats {
    uint64_t tx_moves;
    uint64_t tx_bytes;
    uint64_t tx_failed;
    uint64_t tx_signals;
    uint64_t rx_moves;
    uint64_t rx_bytes;
    uint64_t rx_refused;
    uint64_t rx_signals;
    char *gid_file;
} FabricStats;

static struct {
    bool checked;
    char *dir;                  /* NULL: no fabric */
    int timeout_ms;
    int slot;                   /* this process's slot, 0: not joined */
    char *slot_file;
    char *sock_path;
    int listen_fd;
    FabricDmb *dmbs;            /* the shared table, FABRIC_TOKENS long */
    GMutex send_lock;           /* one outgoing message at a time */
    int peer_fd[FABRIC_MAX_SLOT + 1];
    GHashTable *stats;          /* SimFunction * -> FabricStats * */
} fab = { .listen_fd = -1 };

bool sim_fabric_enabled(void)
{
    const char *d;
    int i;

    if (!fab.checked) {
        fab.checked = true;
        d = getenv("ZPCI_SIM_FABRIC_TIMEOUT_MS");
        fab.timeout_ms = d && atoi(d) > 0 ? atoi(d) : FABRIC_TIMEOUT_MS;
        d = getenv("ZPCI_SIM_FABRIC");
        if (d && *d) {
            fab.dir = g_strdup(d);
            fab.stats = g_hash_table_new(g_direct_hash, g_direct_equal);
            for (i = 0; i <= FABRIC_MAX_SLOT; i++) {
                fab.peer_fd[i] = -1;
            }
        }
    }
    return fab.dir != NULL;
}

static bool pid_alive(long pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* A registry file: a key file with one group */
static GKeyFile *read_entry(const char *path, const char *group)
{
    GKeyFile *kf = g_key_file_new();

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL) ||
        !g_key_file_has_group(kf, group)) {
        g_key_file_free(kf);
        return NULL;
    }
    return kf;
}

static bool write_entry(const char *tmp, GKeyFile *kf)
{
    gsize n;
    gchar *data = g_key_file_to_data(kf, &n, NULL);
    bool ok = g_file_set_contents(tmp, data, n, NULL);

    g_free(data);
    return ok;
}

/* The entry's pid if it is alive, else 0 */
static long entry_pid(GKeyFile *kf, const char *group)
{
    long pid = g_key_file_get_int64(kf, group, "pid", NULL);

    return pid_alive(pid) ? pid : 0;
}

static FabricDmb *dmb_entry(uint64_t token)
{
    return fab.dmbs ? &fab.dmbs[(token >> ISM_TOKEN_SHIFT) &
                                (FABRIC_TOKENS - 1)] : NULL;
}

static void fabric_exit(void)
{
    GHashTableIter it;
    gpointer k, v;
    unsigned i;

    if (fab.dmbs) {
        for (i = 0; i < FABRIC_TOKENS; i++) {
            if (fab.dmbs[i].slot == fab.slot &&
                __atomic_load_n(&fab.dmbs[i].state, __ATOMIC_ACQUIRE)) {
                __atomic_store_n(&fab.dmbs[i].state, 0, __ATOMIC_RELEASE);
            }
        }
    }
    if (fab.stats) {
        g_hash_table_iter_init(&it, fab.stats);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            if (((FabricStats *)v)->gid_file) {
                unlink(((FabricStats *)v)->gid_file);
            }
        }
    }
    if (fab.sock_path) {
        unlink(fab.sock_path);
    }
    if (fab.slot_file) {
        unlink(fab.slot_file);
    }
}

static bool recv_full(int fd, void *buf, size_t n)
{
    char *p = buf;

    while (n) {
        ssize_t r = recv(fd, p, n, MSG_WAITALL);

        if (r < 0 && errno == EINTR) {
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

/* Send all of buf; wait at most timeout_ms for room (-1: no limit) */
static bool send_full(int fd, const void *buf, size_t n, int timeout_ms)
{
    const char *p = buf;

    while (n) {
        ssize_t r = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0 && errno == EAGAIN) {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };

            if (poll(&pfd, 1, timeout_ms) != 1) {
                errno = ETIMEDOUT;
                return false;
            }
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

static FabricStats *stats_of(SimFunction *f)
{
    FabricStats *s = g_hash_table_lookup(fab.stats, f);

    if (!s) {
        s = g_new0(FabricStats, 1);
        g_hash_table_insert(fab.stats, f, s);
    }
    return s;
}

/* A request from another process, handled under the simulator lock */
static int serve(const FabricReq *q, const void *data, const char **why)
{
    char from[40];
    SimFunction *to = NULL;
    int ret;

    *why = NULL;
    snprintf(from, sizeof(from), "gid 0x%llx", (unsigned long long)
             q->from_gid);
    g_rec_mutex_lock(&sim.lock);
    if (q->type != FABRIC_SIGNAL) {
        ret = sim_ism_deliver(q->from_gid, from, q->addr, data, q->len,
                              &to, why);
        if (to) {
            FabricStats *s = stats_of(to);

            if (ret) {
                /* the DMB went away while the move travelled */
                s->rx_refused++;
                sim_reject(to, "fabric_move", EIO, *why,
                           "\"offset\": %llu, \"len\": %u, \"from\": "
                           "\"%s\"", (unsigned long long)q->addr, q->len,
                           from);
            } else {
                s->rx_moves++;
                s->rx_bytes += q->len;
            }
        }
    } else {
        ret = sim_ism_signal(q->from_gid, q->addr, q->code, q->info,
                             q->trigger, &to, why);
        if (!ret && to) {
            stats_of(to)->rx_signals++;
        }
    }
    sim_flush();
    g_rec_mutex_unlock(&sim.lock);
    return ret;
}

/* The listening thread: every connection of every peer, in turn */
static gpointer listener(gpointer unused)
{
    GArray *fds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
    struct pollfd l = { .fd = fab.listen_fd, .events = POLLIN };
    uint8_t *data = g_malloc(FABRIC_MAX_MOVE);
    guint i;

    g_array_append_val(fds, l);
    for (;;) {
        struct pollfd *p;

        if (poll((struct pollfd *)fds->data, fds->len, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        p = (struct pollfd *)fds->data;
        if (p[0].revents & POLLIN) {
            int c = accept4(fab.listen_fd, NULL, NULL, SOCK_CLOEXEC);

            if (c >= 0) {
                struct pollfd n = { .fd = c, .events = POLLIN };

                g_array_append_val(fds, n);
                p = (struct pollfd *)fds->data;
            }
        }
        for (i = 1; i < fds->len; i++) {
            FabricReq q;
            FabricRep rep;
            const char *why;
            bool ok;

            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            ok = recv_full(p[i].fd, &q, sizeof(q)) &&
                 q.magic == FABRIC_MAGIC && q.len <= FABRIC_MAX_MOVE &&
                 q.type >= FABRIC_MOVE && q.type <= FABRIC_SIGNAL &&
                 recv_full(p[i].fd, data, q.len);
            if (ok) {
                memset(&rep, 0, sizeof(rep));
                rep.status = serve(&q, data, &why);
                if (rep.status && why) {
                    g_strlcpy(rep.why, why, sizeof(rep.why));
                }
                if (q.type != FABRIC_MOVE) {
                    ok = send_full(p[i].fd, &rep, sizeof(rep),
                                   fab.timeout_ms);
                }
            }
            if (!ok) {
                close(p[i].fd);
                g_array_remove_index(fds, i);
                p = (struct pollfd *)fds->data;
                i--;
            }
        }
    }
    g_free(data);
    g_array_free(fds, TRUE);
    return unused;
}

/* The shared DMB table, created by whoever comes first */
static bool map_dmbs(void)
{
    char *path = g_strdup_printf("%s/dmbs", fab.dir);
    size_t size = sizeof(FabricDmb) * FABRIC_TOKENS;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    void *p = MAP_FAILED;

    if (fd >= 0 && ftruncate(fd, size) == 0) {
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    if (p == MAP_FAILED) {
        sim_error("fabric: cannot map %s: %s", path, strerror(errno));
    } else {
        fab.dmbs = p;
    }
    if (fd >= 0) {
        close(fd);
    }
    g_free(path);
    return fab.dmbs != NULL;
}

/* Take a free slot, listen on its socket, start the listening thread */
static bool fabric_join(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    GKeyFile *kf;
    char *tmp;
    int n, fd;

    if (fab.slot) {
        return true;
    }
    if (g_mkdir_with_parents(fab.dir, 0700) < 0) {
        sim_error("fabric: cannot create %s: %s", fab.dir, strerror(errno));
        return false;
    }
    tmp = g_strdup_printf("%s/.slot-%ld", fab.dir, (long)getpid());
    for (n = 1; n <= FABRIC_MAX_SLOT && !fab.slot; n++) {
        char *path = g_strdup_printf("%s/slot-%d", fab.dir, n);
        char *sock = g_strdup_printf("%s/s-%d.sock", fab.dir, n);

        kf = read_entry(path, "slot");
        if (kf && entry_pid(kf, "slot")) {
            g_key_file_free(kf);
            g_free(path);
            g_free(sock);
            continue;
        }
        if (kf) {
            /* a process that died without cleaning up */
            g_key_file_free(kf);
            unlink(path);
        }
        kf = g_key_file_new();
        g_key_file_set_int64(kf, "slot", "pid", getpid());
        g_key_file_set_string(kf, "slot", "sock", sock);
        if (write_entry(tmp, kf) && link(tmp, path) == 0) {
            fab.slot = n;
            fab.slot_file = path;
            fab.sock_path = sock;
        } else {
            g_free(path);
            g_free(sock);
        }
        g_key_file_free(kf);
        unlink(tmp);
    }
    g_free(tmp);
    if (!fab.slot) {
        sim_error("fabric: no free slot in %s (at most %d processes)",
                  fab.dir, FABRIC_MAX_SLOT);
        return false;
    }
    atexit(fabric_exit);
    if (!map_dmbs()) {
        return false;
    }
    if (strlen(fab.sock_path) >= sizeof(sa.sun_path)) {
        sim_error("fabric: socket path %s too long", fab.sock_path);
        return false;
    }
    strcpy(sa.sun_path, fab.sock_path);
    unlink(fab.sock_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, FABRIC_MAX_SLOT) < 0) {
        sim_error("fabric: cannot listen on %s: %s", fab.sock_path,
                  strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return false;
    }
    fab.listen_fd = fd;
    g_thread_unref(g_thread_new("zpci-sim-fabric", listener, NULL));
    return true;
}

void sim_fabric_attach(SimFunction *f)
{
    FabricStats *s;
    GKeyFile *kf;
    char *path, *tmp;
    long pid;

    if (!sim_fabric_enabled() || g_hash_table_contains(fab.stats, f) ||
        !fabric_join()) {
        return;
    }
    s = stats_of(f);
    path = g_strdup_printf("%s/gid-%016llx", fab.dir,
                           (unsigned long long)f->ism_gid);
    kf = read_entry(path, "gid");
    pid = kf ? entry_pid(kf, "gid") : 0;
    if (kf) {
        g_key_file_free(kf);
    }
    if (pid && pid != getpid()) {
        sim_error("fabric: GID 0x%llx of %s is already on the network "
                  "(pid %ld)", (unsigned long long)f->ism_gid, f->name, pid);
        g_free(path);
        return;
    }
    kf = g_key_file_new();
    g_key_file_set_int64(kf, "gid", "pid", getpid());
    g_key_file_set_integer(kf, "gid", "slot", fab.slot);
    g_key_file_set_integer(kf, "gid", "chid", f->pchid);
    g_key_file_set_string(kf, "gid", "name", f->name);
    tmp = g_strdup_printf("%s/.gid-%ld", fab.dir, (long)getpid());
    if (write_entry(tmp, kf) && rename(tmp, path) == 0) {
        s->gid_file = path;
    } else {
        sim_error("fabric: cannot register %s: %s", path, strerror(errno));
        unlink(tmp);
        g_free(path);
    }
    g_free(tmp);
    g_key_file_free(kf);
}

uint64_t sim_fabric_token(SimFunction *f, uint64_t seq)
{
    return ((uint64_t)fab.slot << 12 | (seq & SIM_FABRIC_SEQ_MAX)) << 32;
}

void sim_fabric_dmb_registered(SimFunction *f, uint64_t token, uint32_t len,
                               uint64_t rgid)
{
    FabricDmb *e = dmb_entry(token);

    if (!e || !fab.slot) {
        return;
    }
    __atomic_store_n(&e->state, 0, __ATOMIC_RELEASE);
    e->chid = f->pchid;
    e->slot = fab.slot;
    e->len = len;
    e->owner_gid = f->ism_gid;
    e->rgid = rgid;
    __atomic_store_n(&e->state, 1, __ATOMIC_RELEASE);
}

void sim_fabric_dmb_unregistered(uint64_t token)
{
    FabricDmb *e = dmb_entry(token);

    if (e && fab.slot && e->slot == fab.slot) {
        __atomic_store_n(&e->state, 0, __ATOMIC_RELEASE);
    }
}

/* The entry of a remote GID on f's network (same CHID, alive), or NULL */
static GKeyFile *remote_gid(SimFunction *f, uint64_t gid)
{
    char *path;
    GKeyFile *kf;

    if (!sim_fabric_enabled()) {
        return NULL;
    }
    path = g_strdup_printf("%s/gid-%016llx", fab.dir,
                           (unsigned long long)gid);
    kf = read_entry(path, "gid");
    g_free(path);
    if (kf && (!entry_pid(kf, "gid") ||
               g_key_file_get_integer(kf, "gid", "chid", NULL) !=
               f->pchid)) {
        g_key_file_free(kf);
        kf = NULL;
    }
    return kf;
}

bool sim_fabric_knows_gid(SimFunction *f, uint64_t gid)
{
    GKeyFile *kf = remote_gid(f, gid);

    if (kf) {
        g_key_file_free(kf);
        return true;
    }
    return false;
}

/* The connection to the process of a slot; caller holds send_lock */
static int peer_conn(int slot, char *why, size_t whylen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char *path;
    GKeyFile *kf;
    gchar *sock;
    int fd;

    if (fab.peer_fd[slot] >= 0) {
        return fab.peer_fd[slot];
    }
    path = g_strdup_printf("%s/slot-%d", fab.dir, slot);
    kf = read_entry(path, "slot");
    g_free(path);
    if (!kf || !entry_pid(kf, "slot")) {
        snprintf(why, whylen, "ISM network peer (slot %d) gone", slot);
        if (kf) {
            g_key_file_free(kf);
        }
        return -1;
    }
    sock = g_key_file_get_string(kf, "slot", "sock", NULL);
    g_key_file_free(kf);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock && strlen(sock) < sizeof(sa.sun_path)) {
        strcpy(sa.sun_path, sock);
    }
    g_free(sock);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        snprintf(why, whylen, "ISM network peer (slot %d) unreachable: %s",
                 slot, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    fab.peer_fd[slot] = fd;
    return fd;
}

/*
 * One message to the process of slot and, unless it is a posted move,
 * its answer.  Called with the simulator lock held once (a device
 * access); the lock is released while the message travels, so that this
 * process keeps serving its peers.  Returns 0 or -EIO with why filled in.
 */
static int exchange(int slot, FabricReq *q, const void *data, char *why,
                    size_t whylen)
{
    struct pollfd pfd;
    FabricRep rep;
    bool keep = false, cached, dead;
    int fd, ret = -EIO;

    q->magic = FABRIC_MAGIC;
    g_rec_mutex_unlock(&sim.lock);
    g_mutex_lock(&fab.send_lock);
    cached = fab.peer_fd[slot] >= 0;
    fd = peer_conn(slot, why, whylen);
    while (fd >= 0) {
        pfd.fd = fd;
        pfd.events = POLLIN;
        dead = false;
        if (!send_full(fd, q, sizeof(*q), fab.timeout_ms) ||
            !send_full(fd, data, q->len, fab.timeout_ms)) {
            dead = errno == EPIPE || errno == ECONNRESET;
            if (errno == ETIMEDOUT) {
                snprintf(why, whylen, "ISM network peer (slot %d) did not "
                         "take the move within %d ms", slot,
                         fab.timeout_ms);
            } else {
                snprintf(why, whylen, "ISM network peer (slot %d) gone: "
                         "%s", slot, strerror(errno));
            }
        } else if (q->type == FABRIC_MOVE) {
            ret = 0;
            keep = true;
        } else if (poll(&pfd, 1, fab.timeout_ms) != 1) {
            snprintf(why, whylen, "ISM network peer (slot %d) did not "
                     "answer within %d ms", slot, fab.timeout_ms);
        } else if (!recv_full(fd, &rep, sizeof(rep))) {
            snprintf(why, whylen, "ISM network peer (slot %d) gone", slot);
        } else {
            ret = rep.status ? -EIO : 0;
            rep.why[sizeof(rep.why) - 1] = 0;
            snprintf(why, whylen, "%s", rep.why);
            keep = true;
        }
        if (keep) {
            break;
        }
        /* a late answer must not be taken for the next request's */
        close(fd);
        fab.peer_fd[slot] = -1;
        /*
         * A connection kept from earlier may lead to a process that has
         * gone since, while another took its slot: if the message could
         * not even be sent on it, try a new connection, once.
         */
        if (!cached || !dead) {
            break;
        }
        cached = false;
        fd = peer_conn(slot, why, whylen);
    }
    g_mutex_unlock(&fab.send_lock);
    g_rec_mutex_lock(&sim.lock);
    return ret;
}

/* The checks of an ISM move, against the shared DMB table */
static const char *check_move(SimFunction *f, uint64_t off, unsigned len)
{
    FabricDmb *e = dmb_entry(off);
    FabricDmb d;

    if (!e || !__atomic_load_n(&e->state, __ATOMIC_ACQUIRE)) {
        return "unknown DMB token";
    }
    memcpy(&d, e, sizeof(d));
    if (d.slot != ((off >> 44) & 0xf)) {
        return "unknown DMB token";
    }
    if (d.chid != f->pchid) {
        return "DMB on another ISM network (CHID)";
    }
    if ((uint64_t)(off & ISM_DMB_OFF_MASK) + len > d.len) {
        return "move beyond the end of the DMB";
    }
    if (d.rgid && d.rgid != f->ism_gid) {
        return "DMB registered for another GID";
    }
    return NULL;
}

int sim_fabric_move(SimFunction *f, uint64_t off, const void *buf,
                    unsigned len, char *why, size_t whylen)
{
    int slot = (off >> 44) & 0xf;
    const char *bad;
    FabricStats *s;
    FabricReq q = {
        .type = FABRIC_MOVE,
        .from_gid = f->ism_gid, .addr = off, .len = len, .chid = f->pchid,
    };
    int ret;

    sim_fabric_attach(f);
    s = stats_of(f);
    bad = check_move(f, off, len);
    if (!bad && (!fab.slot || !slot || slot == fab.slot ||
                 len > FABRIC_MAX_MOVE)) {
        bad = "unknown DMB token";
    }
    if (bad) {
        snprintf(why, whylen, "%s", bad);
        s->tx_failed++;
        return -EIO;
    }
    ret = exchange(slot, &q, buf, why, whylen);
    if (ret) {
        s->tx_failed++;
    } else {
        s->tx_moves++;
        s->tx_bytes += len;
    }
    return ret;
}

int sim_fabric_signal(SimFunction *f, uint64_t gid, uint32_t code,
                      uint64_t info, bool trigger, char *why,
                      size_t whylen)
{
    GKeyFile *kf = remote_gid(f, gid);
    FabricReq q = {
        .type = FABRIC_SIGNAL, .from_gid = f->ism_gid, .addr = gid,
        .info = info, .code = code, .trigger = trigger, .chid = f->pchid,
    };
    int slot, ret;

    if (!kf) {
        snprintf(why, whylen, "remote GID unknown");
        return -EIO;
    }
    slot = g_key_file_get_integer(kf, "gid", "slot", NULL);
    g_key_file_free(kf);
    if (slot < 1 || slot > FABRIC_MAX_SLOT || slot == fab.slot) {
        snprintf(why, whylen, "remote GID unknown");
        return -EIO;
    }
    ret = exchange(slot, &q, NULL, why, whylen);
    if (!ret) {
        stats_of(f)->tx_signals++;
    }
    return ret;
}

void sim_fabric_dump(SimFunction *f, GString *out)
{
    FabricStats *s;

    if (!sim_fabric_enabled()) {
        return;
    }
    s = g_hash_table_lookup(fab.stats, f);
    g_string_append(out, ", \"fabric\": {\"dir\": ");
    sim_json_escape(out, fab.dir);
    g_string_append_printf(out, ", \"joined\": %s, \"slot\": %d, "
                           "\"tx_moves\": %llu, \"tx_bytes\": %llu, "
                           "\"tx_failed\": %llu, \"tx_signals\": %llu, "
                           "\"rx_moves\": %llu, \"rx_bytes\": %llu, "
                           "\"rx_refused\": %llu, \"rx_signals\": %llu}",
                           s && s->gid_file ? "true" : "false", fab.slot,
                           (unsigned long long)(s ? s->tx_moves : 0),
                           (unsigned long long)(s ? s->tx_bytes : 0),
                           (unsigned long long)(s ? s->tx_failed : 0),
                           (unsigned long long)(s ? s->tx_signals : 0),
                           (unsigned long long)(s ? s->rx_moves : 0),
                           (unsigned long long)(s ? s->rx_bytes : 0),
                           (unsigned long long)(s ? s->rx_refused : 0),
                           (unsigned long long)(s ? s->rx_signals : 0));
}
