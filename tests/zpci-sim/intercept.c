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

#define REAL(ret, name, args)                                           \
    static ret (*real_##name) args;                                     \
    static void resolve_##name(void)                                    \
    {                                                                   \
        if (!real_##name) {                                             \
            real_##name = dlsym(RTLD_NEXT, #name);                      \
        }                                                               \
    }

REAL(int, open, (const char *, int, ...))
REAL(int, open64, (const char *, int, ...))
REAL(int, openat, (int, const char *, int, ...))
REAL(int, openat64, (int, const char *, int, ...))
REAL(int, __open_2, (const char *, int))
REAL(int, __open64_2, (const char *, int))
REAL(int, __openat_2, (int, const char *, int))
REAL(int, __openat64_2, (int, const char *, int))
REAL(int, close, (int))
REAL(int, ioctl, (int, unsigned long, ...))
REAL(ssize_t, read, (int, void *, size_t))
REAL(ssize_t, write, (int, const void *, size_t))
REAL(ssize_t, pread, (int, void *, size_t, off_t))
REAL(ssize_t, pread64, (int, void *, size_t, off_t))
REAL(ssize_t, pwrite, (int, const void *, size_t, off_t))
REAL(ssize_t, pwrite64, (int, const void *, size_t, off_t))
REAL(ssize_t, __pread_chk, (int, void *, size_t, off_t, size_t))
REAL(ssize_t, __pread64_chk, (int, void *, size_t, off_t, size_t))
REAL(ssize_t, __read_chk, (int, void *, size_t, size_t))
REAL(ssize_t, preadv, (int, const struct iovec *, int, off_t))
REAL(ssize_t, preadv64, (int, const struct iovec *, int, off_t))
REAL(ssize_t, pwritev, (int, const struct iovec *, int, off_t))
REAL(ssize_t, pwritev64, (int, const struct iovec *, int, off_t))
REAL(ssize_t, preadv2, (int, const struct iovec *, int, off_t, int))
REAL(ssize_t, pwritev2, (int, const struct iovec *, int, off_t, int))
REAL(ssize_t, preadv64v2, (int, const struct iovec *, int, off_t, int))
REAL(ssize_t, pwritev64v2, (int, const struct iovec *, int, off_t, int))
REAL(ssize_t, readv, (int, const struct iovec *, int))
REAL(ssize_t, writev, (int, const struct iovec *, int))
REAL(void *, mmap, (void *, size_t, int, int, int, off_t))
REAL(void *, mmap64, (void *, size_t, int, int, int, off_t))
REAL(int, dup, (int))
REAL(int, dup2, (int, int))
REAL(int, dup3, (int, int, int))
REAL(int, fcntl, (int, int, ...))
REAL(int, fcntl64, (int, int, ...))

int sim_real_close(int fd)
{
    resolve_close();
    return real_close(fd);
}

ssize_t sim_real_write(int fd, const void *buf, size_t n)
{
    resolve_write();
    return real_write(fd, buf, n);
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
        id = strtol(rest, &end, 10);
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
    resolve_open();
    return real_open(path, flags, mode);
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
    resolve_open64();
    return real_open64(path, flags, mode);
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
    resolve_openat();
    return real_openat(dirfd, path, flags, mode);
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
    resolve_openat64();
    return real_openat64(dirfd, path, flags, mode);
}

SIM_EXPORT int __open_2(const char *path, int flags)
{
    int fd = sim_open_path(path, flags);

    if (fd != -2) {
        return fd;
    }
    resolve___open_2();
    return real___open_2(path, flags);
}

SIM_EXPORT int __open64_2(const char *path, int flags)
{
    int fd = sim_open_path(path, flags);

    if (fd != -2) {
        return fd;
    }
    resolve___open64_2();
    return real___open64_2(path, flags);
}

SIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
    int fd = sim_open_path(path, flags);

    if (fd != -2) {
        return fd;
    }
    resolve___openat_2();
    return real___openat_2(dirfd, path, flags);
}

SIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
    int fd = sim_open_path(path, flags);

    if (fd != -2) {
        return fd;
    }
    resolve___openat64_2();
    return real___openat64_2(dirfd, path, flags);
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
                break;
            }
            g_hash_table_remove(sim.fds, GINT_TO_POINTER(fd));
        }
        sim_unlock();
    }
    resolve_close();
    return real_close(fd);
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
        resolve_ioctl();
        return real_ioctl(fd, req, arg);
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
    SimFdObj *o;
    ssize_t ret;

    sim_lock();
    o = fd_obj(fd);
    if (o->kind != SIM_FD_DEVICE) {
        sim_error("pread(fd %d, %zu, 0x%llx) on a VFIO %s fd", fd, n,
                  (unsigned long long)off,
                  o->kind == SIM_FD_GROUP ? "group" : "container");
        ret = -EINVAL;
    } else {
        ret = sim_device_pread(o->obj, buf, n, off);
    }
    sim_flush();
    sim_unlock();
    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return ret;
}

static ssize_t dev_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    SimFdObj *o;
    ssize_t ret;

    sim_lock();
    o = fd_obj(fd);
    if (o->kind != SIM_FD_DEVICE) {
        sim_error("pwrite(fd %d, %zu, 0x%llx) on a VFIO %s fd", fd, n,
                  (unsigned long long)off,
                  o->kind == SIM_FD_GROUP ? "group" : "container");
        ret = -EINVAL;
    } else {
        ret = sim_device_pwrite(o->obj, buf, n, off);
    }
    sim_flush();
    sim_unlock();
    if (ret < 0) {
        errno = -ret;
        return -1;
    }
    return ret;
}

SIM_EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    if (is_ours(fd)) {
        return dev_pread(fd, buf, n, off);
    }
    resolve_pread();
    return real_pread(fd, buf, n, off);
}

SIM_EXPORT ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
    if (is_ours(fd)) {
        return dev_pread(fd, buf, n, off);
    }
    resolve_pread64();
    return real_pread64(fd, buf, n, off);
}

SIM_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
    if (is_ours(fd)) {
        if (n > buflen) {
            fprintf(stderr, "zpci-sim: __pread_chk buffer overflow\n");
            abort();
        }
        return dev_pread(fd, buf, n, off);
    }
    resolve___pread_chk();
    return real___pread_chk(fd, buf, n, off, buflen);
}

SIM_EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
    if (is_ours(fd)) {
        if (n > buflen) {
            fprintf(stderr, "zpci-sim: __pread64_chk buffer overflow\n");
            abort();
        }
        return dev_pread(fd, buf, n, off);
    }
    resolve___pread64_chk();
    return real___pread64_chk(fd, buf, n, off, buflen);
}

SIM_EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (is_ours(fd)) {
        return dev_pwrite(fd, buf, n, off);
    }
    resolve_pwrite();
    return real_pwrite(fd, buf, n, off);
}

SIM_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    if (is_ours(fd)) {
        return dev_pwrite(fd, buf, n, off);
    }
    resolve_pwrite64();
    return real_pwrite64(fd, buf, n, off);
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
    resolve_read();
    return real_read(fd, buf, n);
}

SIM_EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    if (is_ours(fd)) {
        return fail_loud(EINVAL, "__read_chk(fd %d, %zu) on a VFIO fd", fd,
                         n);
    }
    resolve___read_chk();
    return real___read_chk(fd, buf, n, buflen);
}

SIM_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    if (is_ours(fd)) {
        return fail_loud(EINVAL, "write(fd %d, %zu) on a VFIO fd", fd, n);
    }
    resolve_write();
    return real_write(fd, buf, n);
}

#define VEC_STUB(name, extra_decl, extra_args)                              \
    SIM_EXPORT ssize_t name(int fd, const struct iovec *iov,               \
                            int cnt extra_decl)                           \
    {                                                                       \
        if (is_ours(fd)) {                                                  \
            return fail_loud(EINVAL, #name "(fd %d, %d iovecs) on a VFIO fd",\
                             fd, cnt);                                      \
        }                                                                   \
        resolve_##name();                                                   \
        return real_##name(fd, iov, cnt extra_args);                        \
    }

#define COMMA ,
VEC_STUB(readv, , )
VEC_STUB(writev, , )
VEC_STUB(preadv, COMMA off_t off, COMMA off)
VEC_STUB(preadv64, COMMA off_t off, COMMA off)
VEC_STUB(pwritev, COMMA off_t off, COMMA off)
VEC_STUB(pwritev64, COMMA off_t off, COMMA off)
VEC_STUB(preadv2, COMMA off_t off COMMA int fl, COMMA off COMMA fl)
VEC_STUB(pwritev2, COMMA off_t off COMMA int fl, COMMA off COMMA fl)
VEC_STUB(preadv64v2, COMMA off_t off COMMA int fl, COMMA off COMMA fl)
VEC_STUB(pwritev64v2, COMMA off_t off COMMA int fl, COMMA off COMMA fl)

SIM_EXPORT void * mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (!(flags & MAP_ANONYMOUS) && is_ours(fd)) {
        fail_loud(EINVAL, "mmap(fd %d, len 0x%zx, off 0x%llx): no region "
                  "is mmap-able", fd, len, (unsigned long long)off);
        return MAP_FAILED;
    }
    resolve_mmap();
    return real_mmap(addr, len, prot, flags, fd, off);
}

SIM_EXPORT void * mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (!(flags & MAP_ANONYMOUS) && is_ours(fd)) {
        fail_loud(EINVAL, "mmap64(fd %d, len 0x%zx, off 0x%llx): no region "
                  "is mmap-able", fd, len, (unsigned long long)off);
        return MAP_FAILED;
    }
    resolve_mmap64();
    return real_mmap64(addr, len, prot, flags, fd, off);
}

SIM_EXPORT int dup(int fd)
{
    if (is_ours(fd)) {
        return fail_loud(EINVAL, "dup(fd %d) of a VFIO fd", fd);
    }
    resolve_dup();
    return real_dup(fd);
}

SIM_EXPORT int dup2(int fd, int fd2)
{
    if (is_ours(fd) || is_ours(fd2)) {
        return fail_loud(EINVAL, "dup2(%d, %d) involving a VFIO fd", fd,
                         fd2);
    }
    resolve_dup2();
    return real_dup2(fd, fd2);
}

SIM_EXPORT int dup3(int fd, int fd2, int fl)
{
    if (is_ours(fd) || is_ours(fd2)) {
        return fail_loud(EINVAL, "dup3(%d, %d) involving a VFIO fd", fd,
                         fd2);
    }
    resolve_dup3();
    return real_dup3(fd, fd2, fl);
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
    resolve_fcntl();
    return fcntl_common(real_fcntl, fd, cmd, arg);
}

SIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    resolve_fcntl64();
    return fcntl_common(real_fcntl64, fd, cmd, arg);
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
