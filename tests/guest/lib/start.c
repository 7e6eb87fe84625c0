/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * C entry of the payloads: clear .bss, run main(), finish the protocol.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "libc.h"
#include "entry.h"
#include "report.h"

int payload_start(void)
{
    memset(__bss_start, 0, __bss_end - __bss_start);
    barrier();
    main();
    report_done();
    /*
     * Failed checks are reported on the console; the CPU always stops with
     * the clean-shutdown PSW here so that a QEMU exit status != 0 means the
     * payload crashed rather than that a check failed.
     */
    return 0;
}
