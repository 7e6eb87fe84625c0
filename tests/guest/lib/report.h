/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * The payloads' console protocol: one line per check.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 *   ok - NAME
 *   not ok - NAME: DETAIL
 *   skip - NAME: REASON
 *   # free text (diagnostics, ignored by the runner's verdicts)
 *   DONE
 *
 * NAME is a short identifier without ':' that the host-side test refers
 * to.  DONE is printed exactly once, last.
 */
#ifndef ZT_REPORT_H
#define ZT_REPORT_H

#include "libc.h"

/* Report one check; the detail (printf format) is printed on failure */
bool report(bool pass, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void report_skip(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print DONE; returns the number of failed checks */
int report_done(void);
bool report_is_done(void);

#endif
