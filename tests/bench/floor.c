/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Benchmark floor: the host operations alone, one pwrite each on a memfd.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * floor SIZE COUNT [OPS_PER_ITEM]
 *
 * Performs COUNT * OPS_PER_ITEM pwrite()s of SIZE bytes on a memfd, the
 * same system call the simulator's backing=memfd makes per host
 * operation, and prints one line:
 *
 *   floor size=S ops=N wall_ns=W cpu_ns=C
 *
 * C is this process's user + system time for the loop (getrusage), W the
 * monotonic clock around it.  Nothing else happens in the loop, so this
 * is the cost the host operations themselves have on this machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define WINDOW (64 * 1024)

static unsigned long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long long cpu_ns(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

/* A non-negative number (decimal or 0x hex); -1 if it is not one */
static long long number(const char *s)
{
    long long v;
    char end;

    if (sscanf(s, "%lli%c", &v, &end) != 1 || v < 0) {
        return -1;
    }
    return v;
}

int main(int argc, char **argv)
{
    long long size, count, per = 1;
    unsigned long long ops, i;
    unsigned long long w0, w1, c0, c1;
    void *buf;
    int fd;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s SIZE COUNT [OPS_PER_ITEM]\n", argv[0]);
        return 2;
    }
    size = number(argv[1]);
    count = number(argv[2]);
    if (argc == 4) {
        per = number(argv[3]);
    }
    if (size <= 0 || size > WINDOW || count < 0 || per < 0) {
        fprintf(stderr, "floor: SIZE 1..%d, COUNT and OPS_PER_ITEM >= 0\n",
                WINDOW);
        return 2;
    }
    ops = count * per;
    fd = memfd_create("bench-floor", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, WINDOW) != 0) {
        fprintf(stderr, "floor: memfd: %s\n", strerror(errno));
        return 1;
    }
    buf = aligned_alloc(4096, WINDOW);
    if (!buf) {
        return 1;
    }
    memset(buf, 0xa5, WINDOW);
    /* touch the file's pages once, as the simulator's first call does */
    if (pwrite(fd, buf, WINDOW, 0) != WINDOW) {
        fprintf(stderr, "floor: pwrite: %s\n", strerror(errno));
        return 1;
    }

    w0 = now_ns();
    c0 = cpu_ns();
    for (i = 0; i < ops; i++) {
        if (pwrite(fd, buf, size, 0) != (ssize_t)size) {
            fprintf(stderr, "floor: pwrite: %s\n", strerror(errno));
            return 1;
        }
    }
    c1 = cpu_ns();
    w1 = now_ns();
    printf("floor size=%lld ops=%llu wall_ns=%llu cpu_ns=%llu\n", size, ops,
           w1 - w0, c1 - c0);
    return 0;
}
