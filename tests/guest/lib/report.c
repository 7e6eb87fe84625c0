/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * The payloads' console protocol: one line per check.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "report.h"

static int n_pass, n_fail, n_skip;
static bool done;

bool report(bool pass, const char *name, const char *fmt, ...)
{
    char detail[512];
    va_list ap;

    if (pass) {
        n_pass++;
        printf("ok - %s\n", name);
        return true;
    }
    n_fail++;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    printf("not ok - %s: %s\n", name, detail);
    return false;
}

void report_skip(const char *name, const char *fmt, ...)
{
    char reason[256];
    va_list ap;

    n_skip++;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    printf("skip - %s: %s\n", name, reason);
}

void report_info(const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    printf("# %s\n", line);
}

int report_done(void)
{
    if (!done) {
        printf("# %d passed, %d failed, %d skipped\n", n_pass, n_fail,
               n_skip);
        printf("DONE\n");
        done = true;
    }
    return n_fail;
}

bool report_is_done(void)
{
    return done;
}
