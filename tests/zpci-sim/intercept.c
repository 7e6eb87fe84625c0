/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: libc interposition; routes VFIO files to the simulator.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "zpci-sim.h"

/*
 * Only descriptors handed out by the simulator are ours; every other call
 * goes to the next definition in the lookup order (normally libc).  Calls
 * made by the simulator itself (glib opening the config file, fopen of the
 * JSON output) pass straight through thanks to the per-thread guard.
 */

#define SIM_EXPORT __attribute__((visibility("default")))

static __thread int in_sim;

/* The next definition of each function we interpose (normally libc) */
enum {
    NEXT_open,
    NEXT_open64,
    NEXT_openat,
    NEXT_openat64,
    NEXT_open_2,
    NEXT_open64_2,
    NEXT_openat_2,
    NEXT_openat64_2,
    NEXT_close,
    NEXT_ioctl,
    NEXT_read,
    NEXT_write,
    NEXT_pread,
    NEXT_pread64,
    NEXT_pwrite,
    NEXT_pwrite64,
    NEXT_pread_chk,
    NEXT_pread64_chk,
    NEXT_read_chk,
    NEXT_preadv,
    NEXT_preadv64,
    NEXT_pwritev,
    NEXT_pwritev64,
    NEXT_preadv2,
    NEXT_pwritev2,
    NEXT_preadv64v2,
    NEXT_pwritev64v2,
    NEXT_readv,
    NEXT_writev,
    NEXT_mmap,
    NEXT_mmap64,
    NEXT_dup,
    NEXT_dup2,
    NEXT_dup3,
    NEXT_fcntl,
    NEXT_fcntl64,
    NEXT_COUNT
};

static const char *const next_names[NEXT_COUNT] = {
    [NEXT_open] = "open",
    [NEXT_open64] = "open64",
    [NEXT_openat] = "openat",
    [NEXT_openat64] = "openat64",
    [NEXT_open_2] = "__open_2",
    [NEXT_open64_2] = "__open64_2",
    [NEXT_openat_2] = "__openat_2",
    [NEXT_openat64_2] = "__openat64_2",
    [NEXT_close] = "close",
    [NEXT_ioctl] = "ioctl",
    [NEXT_read] = "read",
    [NEXT_write] = "write",
    [NEXT_pread] = "pread",
    [NEXT_pread64] = "pread64",
    [NEXT_pwrite] = "pwrite",
    [NEXT_pwrite64] = "pwrite64",
    [NEXT_pread_chk] = "__pread_chk",
    [NEXT_pread64_chk] = "__pread64_chk",
    [NEXT_read_chk] = "__read_chk",
    [NEXT_preadv] = "preadv",
    [NEXT_preadv64] = "preadv64",
    [NEXT_pwritev] = "pwritev",
    [NEXT_pwritev64] = "pwritev64",
    [NEXT_preadv2] = "preadv2",
    [NEXT_pwritev2] = "pwritev2",
    [NEXT_preadv64v2] = "preadv64v2",
    [NEXT_pwritev64v2] = "pwritev64v2",
    [NEXT_readv] = "readv",
    [NEXT_writev] = "writev",
    [NEXT_mmap] = "mmap",
    [NEXT_mmap64] = "mmap64",
    [NEXT_dup] = "dup",
    [NEXT_dup2] = "dup2",
    [NEXT_dup3] = "dup3",
    [NEXT_fcntl] = "fcntl",
    [NEXT_fcntl64] = "fcntl64",
};

static void *next_fns[NEXT_COUNT];

static void *next_sym(int i)
{
    void *fn = __atomic_load_n(&next_fns[i], __ATOMIC_ACQUIRE);

    if (!fn) {
        fn = dlsym(RTLD_NEXT, next_names[i]);
        if (!fn) {
            fprintf(stderr, "zpci-sim: %s not found in libc\n",
                    next_names[i]);
            abort();
        }
        __atomic_store_n(&next_fns[i], fn, __ATOMIC_RELEASE);
    }
    return fn;
}

typedef int (*open_fn)(const char *, int, ...);
typedef int (*open64_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*openat64_fn)(int, const char *, int, ...);
typedef int (*open_2_fn)(const char *, int);
typedef int (*open64_2_fn)(const char *, int);
typedef int (*openat_2_fn)(int, const char *, int);
typedef int (*openat64_2_fn)(int, const char *, int);
typedef int (*close_fn)(int);
typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);
typedef ssize_t (*pread64_fn)(int, void *, size_t, off_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pread_chk_fn)(int, void *, size_t, off_t, size_t);
typedef ssize_t (*pread64_chk_fn)(int, void *, size_t, off_t, size_t);
typedef ssize_t (*read_chk_fn)(int, void *, size_t, size_t);
typedef ssize_t (*preadv_fn)(int, const struct iovec *, int, off_t);
typedef ssize_t (*preadv64_fn)(int, const struct iovec *, int, off_t);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);
typedef ssize_t (*pwritev64_fn)(int, const struct iovec *, int, off_t);
typedef ssize_t (*preadv2_fn)(int, const struct iovec *, int, off_t, int);
typedef ssize_t (*pwritev2_fn)(int, const struct iovec *, int, off_t, int);
typedef ssize_t (*preadv64v2_fn)(int, const struct iovec *, int, off_t, int);
typedef ssize_t (*pwritev64v2_fn)(int, const struct iovec *, int, off_t, int);
typedef ssize_t (*readv_fn)(int, const struct iovec *, int);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
typedef void *(*mmap64_fn)(void *, size_t, int, int, int, off_t);
typedef int (*dup_fn)(int);
typedef int (*dup2_fn)(int, int);
typedef int (*dup3_fn)(int, int, int);
typedef int (*fcntl_fn)(int, int, ...);
typedef int (*fcntl64_fn)(int, int, ...);

int sim_real_close(int fd)
{
    return ((close_fn)next_sym(NEXT_close))(fd);
}

ssize_t sim_real_write(int fd, const void *buf, size_t n)
{
    return ((write_fn)next_sym(NEXT_write))(fd, buf, n);
}

int sim_new_fd(void)
{
    return eventfd(0, EFD_CLOEXEC);
}

static void sim_lock(void)
{
    g_rec_mutex_lock(&sim.lock);
    in_sim++;
}

static void sim_unlock(void)
{
    in_sim--;
    g_rec_mutex_unlock(&sim.lock);
}

static bool sim_active(void)
{
    return sim.ready && !in_sim;
}

/* Caller holds the lock */
static SimFdObj *fd_obj(int fd)
{
    return g_hash_table_lookup(sim.fds, GINT_TO_POINTER(fd));
}

static bool is_ours(int fd)
{
    bool ours;

    if (!sim_active() || fd < 0) {
        return false;
    }
    g_rec_mutex_lock(&sim.lock);
    ours = fd_obj(fd) != NULL;
    g_rec_mutex_unlock(&sim.lock);
    return ours;
}

static int fail_loud(int err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int fail_loud(int err, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    sim_lock();
    sim_error("%s", msg);
    sim_unlock();
    g_free(msg);
    errno = err;
    return -1;
}

/* Returns -2 when the path is not a VFIO path (caller passes it on) */
static int sim_open_path(const char *path, int flags)
{
    const char *rest;
    char *end;
    long id;
    int fd;

    if (!sim_active() || !path || strncmp(path, "/dev/vfio/", 10) != 0) {
        return -2;
    }
    rest = path + 10;
    sim_lock();
    sim.used = true;
    if (strcmp(rest, "vfio") == 0) {
        fd = sim_open_container();
    } else {
        errno = 0;
        id = g_ascii_strtoll(rest, &end, 10);
        if (*rest == '\0' || *end != '\0' || id < 0 || errno) {
            sim_error("open(\"%s\", 0x%x): unknown VFIO path", path, flags);
            errno = ENOENT;
            fd = -1;
        } else {
            fd = sim_open_group((int)id);
        }
    }
    sim_unlock();
    return fd;
}

static int open_mode(int flags, va_list ap)
{
    if (flags & (O_CREAT | O_TMPFILE)) {
        return va_arg(ap, int);
    }
    return 0;
}

SIM_EXPORT int open(const char *path, int flags, ...)
{
    va_list ap;
    int mode, fd;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    fd = sim_open_path(path, flags);
    if (fd != -2) {
        return fd;
    }
    return ((open_fn)next_sym(NEXT_open))(path, flags, mode);
}

SIM_EXPORT int open64(const char *path, int flags, ...)
{
    va_list ap;
    int mode, fd;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    fd = sim_open_path(path, flags);
    if (fd != -2) {
        return fd;
    }
    return ((open64_fn)next_sym(NEXT_open64))(path, flags, mode);
}

SIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    int mode, fd;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    fd = sim_open_path(path, flags);
    if (fd != -2) {
        return fd;
    }
    return ((openat_fn)next_sym(NEXT_openat))(dirfd, path, flags, mode);
}

SIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    int mode, fd;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    fd = sim_open_path(path, flags);
    if (fd != -2) {
        return fd;
    }
    return ((openat64_fn)next_sym(NEXT_openat64))(dirfd, path, flags, mode);
}

SIM_EXPORT int __open_2(const char *path, int flags)
{
    int fd = sim_open_path(path, flags);

    if (fd != -2) {
        return fd;
    }
    return ((open_2_fn)next_sym(NEXT_open_2))(path, flags);
}

SIM_EXPORT int __open64_2(const char *path, int flags)
{
    int fd = sim_open_path(path, flags);

    if (fd != -2) {
        return fd;
    }
    return ((open64_2_fn)next_sym(NEXT_open64_2))(path, flags);
}

SIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
    int fd = sim_open_path(path, flags);

    if (fd != -2) {
        return fd;
    }
    return ((openat_2_fn)next_sym(NEXT_openat_2))(dirfd, path, flags);
}

SIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
    int fd = sim_open_path(path, flags);

    if (fd != -2) {
        return fd;
    }
    return ((openat64_2_fn)next_sym(NEXT_openat64_2))(dirfd, path, flags);
}

SIM_EXPORT int close(int fd)
{
    SimFdObj *o;

    if (is_ours(fd)) {
        sim_lock();
        o = fd_obj(fd);
        if (o) {
            switch (o->kind) {
            case SIM_FD_CONTAINER:
                ((SimContainer *)o->obj)->fd = -1;
                break;
            case SIM_FD_GROUP:
                ((SimGroup *)o->obj)->fd = -1;
                break;
            case SIM_FD_DEVICE:
                ((SimFunction *)o->obj)->device_fd = -1;
                sim_irq_reset(o->obj);
                sim_log(o->obj, "close", "\"fd\": %d", fd);
                sim_recovery_close(o->obj);
                /* a tombstone: the number stays taken, its use is caught */
                o->kind = SIM_FD_CLOSED;
                sim_flush();
                sim_unlock();
                return 0;
            case SIM_FD_CLOSED:
                sim_error("close(fd %d) of %s's device fd a second time", fd,
                          ((SimFunction *)o->obj)->name);
                sim_unlock();
                errno = EBADF;
                return -1;
            }
            g_hash_table_remove(sim.fds, GINT_TO_POINTER(fd));
        }
        sim_unlock();
    }
    return ((close_fn)next_sym(NEXT_close))(fd);
}

SIM_EXPORT int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    void *arg;
    SimFdObj *o;
    int ret = -1;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);

    if (!is_ours(fd)) {
        return ((ioctl_fn)next_sym(NEXT_ioctl))(fd, req, arg);
    }
    sim_lock();
    o = fd_obj(fd);
    switch (o->kind) {
    case SIM_FD_CONTAINER:
        ret = sim_container_ioctl(o->obj, req, arg);
        break;
    case SIM_FD_GROUP:
        ret = sim_group_ioctl(o->obj, req, arg);
        break;
    case SIM_FD_DEVICE:
        ret = sim_device_ioctl(o->obj, req, arg);
        break;
    case SIM_FD_CLOSED:
        sim_error("ioctl(fd %d, 0x%lx) on %s's device fd after its close",
                  fd, (unsigned long)req, ((SimFunction *)o->obj)->name);
        ret = -EBADF;
        break;
    }
    sim_flush();
    sim_unlock();
    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return ret;
}

/*
 * A read or write at an offset of a VFIO fd: only the device fd has
 * regions; anything else is a loud error.
 */
static ssize_t dev_rw(int fd, void *rbuf, const void *wbuf, size_t n,
                      off_t off, bool write)
{
    SimFdObj *o;
    ssize_t ret;

    sim_lock();
    o = fd_obj(fd);
    if (o->kind == SIM_FD_CLOSED) {
        sim_error("%s(fd %d, %zu, 0x%llx) on %s's device fd after its close",
                  write ? "pwrite" : "pread", fd, n, (unsigned long long)off,
                  ((SimFunction *)o->obj)->name);
        ret = -EBADF;
    } else if (o->kind != SIM_FD_DEVICE) {
        sim_error("%s(fd %d, %zu, 0x%llx) on a VFIO %s fd",
                  write ? "pwrite" : "pread", fd, n, (unsigned long long)off,
                  o->kind == SIM_FD_GROUP ? "group" : "container");
        ret = -EINVAL;
    } else if (write) {
        ret = sim_device_pwrite(o->obj, wbuf, n, off);
    } else {
        ret = sim_device_pread(o->obj, rbuf, n, off);
    }
    sim_flush();
    sim_unlock();
    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return ret;
}

static ssize_t dev_pread(int fd, void *buf, size_t n, off_t off)
{
    return dev_rw(fd, buf, NULL, n, off, false);
}

static ssize_t dev_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    return dev_rw(fd, NULL, buf, n, off, true);
}

SIM_EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    if (is_ours(fd)) {
        return dev_pread(fd, buf, n, off);
    }
    return ((pread_fn)next_sym(NEXT_pread))(fd, buf, n, off);
}

SIM_EXPORT ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
    if (is_ours(fd)) {
        return dev_pread(fd, buf, n, off);
    }
    return ((pread64_fn)next_sym(NEXT_pread64))(fd, buf, n, off);
}

SIM_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off,
                               size_t buflen)
{
    if (is_ours(fd)) {
        if (n > buflen) {
            fprintf(stderr, "zpci-sim: __pread_chk buffer overflow\n");
            abort();
        }
        return dev_pread(fd, buf, n, off);
    }
    return ((pread_chk_fn)next_sym(NEXT_pread_chk))(fd, buf, n, off, buflen);
}

SIM_EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t n, off_t off,
                                 size_t buflen)
{
    if (is_ours(fd)) {
        if (n > buflen) {
            fprintf(stderr, "zpci-sim: __pread64_chk buffer overflow\n");
            abort();
        }
        return dev_pread(fd, buf, n, off);
    }
    return ((pread64_chk_fn)next_sym(NEXT_pread64_chk))(fd, buf, n, off,
                                                         buflen);
}

SIM_EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (is_ours(fd)) {
        return dev_pwrite(fd, buf, n, off);
    }
    return ((pwrite_fn)next_sym(NEXT_pwrite))(fd, buf, n, off);
}

SIM_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    if (is_ours(fd)) {
        return dev_pwrite(fd, buf, n, off);
    }
    return ((pwrite64_fn)next_sym(NEXT_pwrite64))(fd, buf, n, off);
}

/*
 * Calls QEMU does not make on VFIO descriptors: refuse them loudly so a
 * future QEMU that starts using them is noticed instead of half-working.
 */
SIM_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
    if (is_ours(fd)) {
        return fail_loud(EINVAL, "read(fd %d, %zu) on a VFIO fd", fd, n);
    }
    return ((read_fn)next_sym(NEXT_read))(fd, buf, n);
}

SIM_EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    if (is_ours(fd)) {
        return fail_loud(EINVAL, "__read_chk(fd %d, %zu) on a VFIO fd", fd,
                         n);
    }
    return ((read_chk_fn)next_sym(NEXT_read_chk))(fd, buf, n, buflen);
}

SIM_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    if (is_ours(fd)) {
        return fail_loud(EINVAL, "write(fd %d, %zu) on a VFIO fd", fd, n);
    }
    return ((write_fn)next_sym(NEXT_write))(fd, buf, n);
}

/* Vectored I/O: QEMU never uses it on VFIO fds */
static bool vec_refused(int fd, const char *name, int cnt)
{
    if (!is_ours(fd)) {
        return false;
    }
    fail_loud(EINVAL, "%s(fd %d, %d iovecs) on a VFIO fd", name, fd, cnt);
    return true;
}

SIM_EXPORT ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
    if (vec_refused(fd, "readv", cnt)) {
        return -1;
    }
    return ((readv_fn)next_sym(NEXT_readv))(fd, iov, cnt);
}

SIM_EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    if (vec_refused(fd, "writev", cnt)) {
        return -1;
    }
    return ((writev_fn)next_sym(NEXT_writev))(fd, iov, cnt);
}

SIM_EXPORT ssize_t preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
    if (vec_refused(fd, "preadv", cnt)) {
        return -1;
    }
    return ((preadv_fn)next_sym(NEXT_preadv))(fd, iov, cnt, off);
}

SIM_EXPORT ssize_t preadv64(int fd, const struct iovec *iov, int cnt, off_t off)
{
    if (vec_refused(fd, "preadv64", cnt)) {
        return -1;
    }
    return ((preadv64_fn)next_sym(NEXT_preadv64))(fd, iov, cnt, off);
}

SIM_EXPORT ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    if (vec_refused(fd, "pwritev", cnt)) {
        return -1;
    }
    return ((pwritev_fn)next_sym(NEXT_pwritev))(fd, iov, cnt, off);
}

SIM_EXPORT ssize_t pwritev64(int fd, const struct iovec *iov, int cnt,
                             off_t off)
{
    if (vec_refused(fd, "pwritev64", cnt)) {
        return -1;
    }
    return ((pwritev64_fn)next_sym(NEXT_pwritev64))(fd, iov, cnt, off);
}

SIM_EXPORT ssize_t preadv2(int fd, const struct iovec *iov, int cnt,
                           off_t off, int fl)
{
    if (vec_refused(fd, "preadv2", cnt)) {
        return -1;
    }
    return ((preadv2_fn)next_sym(NEXT_preadv2))(fd, iov, cnt, off, fl);
}

SIM_EXPORT ssize_t pwritev2(int fd, const struct iovec *iov, int cnt,
                            off_t off, int fl)
{
    if (vec_refused(fd, "pwritev2", cnt)) {
        return -1;
    }
    return ((pwritev2_fn)next_sym(NEXT_pwritev2))(fd, iov, cnt, off, fl);
}

SIM_EXPORT ssize_t preadv64v2(int fd, const struct iovec *iov, int cnt,
                              off_t off, int fl)
{
    if (vec_refused(fd, "preadv64v2", cnt)) {
        return -1;
    }
    return ((preadv64v2_fn)next_sym(NEXT_preadv64v2))(fd, iov, cnt, off, fl);
}

SIM_EXPORT ssize_t pwritev64v2(int fd, const struct iovec *iov, int cnt,
                               off_t off, int fl)
{
    if (vec_refused(fd, "pwritev64v2", cnt)) {
        return -1;
    }
    return ((pwritev64v2_fn)next_sym(NEXT_pwritev64v2))(fd, iov, cnt, off, fl);
}

SIM_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
                      off_t off)
{
    if (!(flags & MAP_ANONYMOUS) && is_ours(fd)) {
        fail_loud(EINVAL, "mmap(fd %d, len 0x%zx, off 0x%llx): no region "
                  "is mmap-able", fd, len, (unsigned long long)off);
        return MAP_FAILED;
    }
    return ((mmap_fn)next_sym(NEXT_mmap))(addr, len, prot, flags, fd, off);
}

SIM_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
                        off_t off)
{
    if (!(flags & MAP_ANONYMOUS) && is_ours(fd)) {
        fail_loud(EINVAL, "mmap64(fd %d, len 0x%zx, off 0x%llx): no region "
                  "is mmap-able", fd, len, (unsigned long long)off);
        return MAP_FAILED;
    }
    return ((mmap64_fn)next_sym(NEXT_mmap64))(addr, len, prot, flags, fd, off);
}

SIM_EXPORT int dup(int fd)
{
    if (is_ours(fd)) {
        return fail_loud(EINVAL, "dup(fd %d) of a VFIO fd", fd);
    }
    return ((dup_fn)next_sym(NEXT_dup))(fd);
}

SIM_EXPORT int dup2(int fd, int fd2)
{
    if (is_ours(fd) || is_ours(fd2)) {
        return fail_loud(EINVAL, "dup2(%d, %d) involving a VFIO fd", fd,
                         fd2);
    }
    return ((dup2_fn)next_sym(NEXT_dup2))(fd, fd2);
}

SIM_EXPORT int dup3(int fd, int fd2, int fl)
{
    if (is_ours(fd) || is_ours(fd2)) {
        return fail_loud(EINVAL, "dup3(%d, %d) involving a VFIO fd", fd,
                         fd2);
    }
    return ((dup3_fn)next_sym(NEXT_dup3))(fd, fd2, fl);
}

/*
 * fcntl: the flag queries and F_SETFD/F_SETFL that QEMU's helpers do work
 * on the backing eventfd; duplicating a VFIO fd is refused.
 */
static int fcntl_common(int (*fn)(int, int, ...), int fd, int cmd, void *arg)
{
    if (is_ours(fd) && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) {
        return fail_loud(EINVAL, "fcntl(fd %d, F_DUPFD*) of a VFIO fd", fd);
    }
    return fn(fd, cmd, arg);
}

SIM_EXPORT int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_common(next_sym(NEXT_fcntl), fd, cmd, arg);
}

SIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_common(next_sym(NEXT_fcntl64), fd, cmd, arg);
}

/*
 * Every process that inherits LD_PRELOAD loads the simulator (timeout(1),
 * shells, helpers QEMU spawns); only the one that used VFIO owns the JSON
 * file.  A process that did not, but found config errors, writes them
 * only if nobody has written the file yet.
 */
static void sim_exit(void)
{
    if (!sim.ready) {
        return;
    }
    sim_lock();
    if (sim.used || (sim.errors->len && sim.output &&
                     access(sim.output, F_OK) != 0)) {
        sim_dump_json();
    }
    sim_unlock();
}

__attribute__((constructor))
static void sim_init(void)
{
    const char *cfg = getenv("ZPCI_SIM_CONFIG");

    if (!cfg || !*cfg) {
        return;
    }
    g_rec_mutex_init(&sim.lock);
    sim_lock();
    sim_config_load();
    sim_unlock();
    sim.ready = true;
    atexit(sim_exit);
}

__attribute__((destructor))
static void sim_fini(void)
{
    /* atexit already wrote the file; this covers dlclose() */
    sim_exit();
}
