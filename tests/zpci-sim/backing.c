/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: optional real host cost per BAR access and region request,
 * one system call on a memfd that backs the function's BARs.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * On a real s390 host every access QEMU makes to a BAR region or to the
 * zPCI I/O region is one pread/pwrite system call on the vfio device file;
 * the kernel copies the data from or to user memory and issues the PCI
 * instruction(s).  Under the simulator that call is a plain function call
 * inside QEMU's process, far cheaper than the real thing, so counts of
 * host operations would not show in the time.  With backing=memfd each
 * such access costs one real pread64/pwrite64 of the same length on a
 * memfd, from or to the same user buffer (for a region request: the
 * buffer at gaddr), which models the kernel entry and exit and the user
 * copy.  The file's contents are never read back: the model keeps the
 * function's state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zpci-sim.h"

/* Each BAR (by index) gets a window of this size in the file */
#define SIM_BACKING_WINDOW  (64 * 1024ULL)

bool sim_backing_parse(const char *s, SimBacking *out)
{
    if (strcmp(s, "none") == 0) {
        *out = SIM_BACKING_NONE;
    } else if (strcmp(s, "memfd") == 0) {
        *out = SIM_BACKING_MEMFD;
    } else {
        return false;
    }
    return true;
}

const char *sim_backing_name(SimBacking b)
{
    return b == SIM_BACKING_MEMFD ? "memfd" : "none";
}

static int backing_fd(SimFunction *f)
{
    char *name;
    int fd;

    if (f->backing_fd >= 0) {
        return f->backing_fd;
    }
    name = g_strdup_printf("zpci-sim-%s", f->name);
    fd = memfd_create(name, MFD_CLOEXEC);
    g_free(name);
    if (fd < 0) {
        sim_error("backing: memfd_create for %s: %s", f->name,
                  strerror(errno));
        f->backing = SIM_BACKING_NONE;
        return -1;
    }
    if (ftruncate(fd, SIM_NUM_BARS * SIM_BACKING_WINDOW) != 0) {
        sim_error("backing: ftruncate for %s: %s", f->name,
                  strerror(errno));
    }
    f->backing_fd = fd;
    return fd;
}

/*
 * One real system call for one host access of n bytes at off in address
 * space bar: pwrite64 from buf (write) or pread64 into buf.  Returns 0,
 * or -EFAULT when buf is not mapped, as the kernel's user copy would.
 * The position wraps inside the BAR's window; an access longer than the
 * window is charged as one window-sized call.
 */
int sim_backing_io(SimFunction *f, bool write, void *buf, size_t n, int bar,
                   uint64_t off)
{
    uint64_t pos;
    long ret;
    int fd;

    if (f->backing != SIM_BACKING_MEMFD || n == 0) {
        return 0;
    }
    fd = backing_fd(f);
    if (fd < 0) {
        return 0;
    }
    if (n > SIM_BACKING_WINDOW) {
        n = SIM_BACKING_WINDOW;
    }
    pos = off % SIM_BACKING_WINDOW;
    if (pos + n > SIM_BACKING_WINDOW) {
        pos = 0;
    }
    pos += (uint64_t)(bar >= 0 && bar < SIM_NUM_BARS ? bar : 0) *
           SIM_BACKING_WINDOW;
    /* Raw system calls: never through the interposed libc entry points */
    ret = syscall(write ? SYS_pwrite64 : SYS_pread64, fd, buf, n,
                  (off_t)pos);
    f->backing_calls++;
    if (ret < 0 && errno == EFAULT) {
        return -EFAULT;
    }
    if (ret != (long)n) {
        sim_error("backing: %s of %zu bytes at %llu on %s's memfd: %s",
                  write ? "pwrite64" : "pread64", n,
                  (unsigned long long)pos, f->name,
                  ret < 0 ? strerror(errno) : "short transfer");
    }
    return 0;
}
