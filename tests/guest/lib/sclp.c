/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Console output through the SCLP ASCII console event.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * QEMU's s390-ccw-virtio machine puts an SCLP console ("sclpconsole") on
 * the first -serial chardev.  A Write Event Data service call carrying an
 * ASCII console data event (type 0x1a) sends bytes to it.  QEMU handles
 * the call synchronously; the service-signal external interruption it then
 * makes pending is never enabled by the payloads, so it is simply ignored.
 */
#include "sclp.h"

#define SCLP_CMD_WRITE_EVENT_DATA   0x00760005
#define SCLP_EVENT_ASCII_CONSOLE    0x1a
#define SCLP_RC_NORMAL_COMPLETION   0x0020
#define SCLP_CMDW_CONFIGURE_IOA     0x001a0001
#define SCLP_CMDW_DECONFIGURE_IOA   0x001b0001
#define SCLP_ATYPE_PCI              2

struct sccb_header {
    uint16_t length;
    uint8_t function_code;
    uint8_t control_mask[3];
    uint16_t response_code;
} PACKED;

struct event_header {
    uint16_t length;
    uint8_t type;
    uint8_t flags;
    uint16_t reserved;
} PACKED;

#define SCCB_SIZE 4096
#define SCLP_DATA_MAX (SCCB_SIZE - sizeof(struct sccb_header) - \
                       sizeof(struct event_header))

static uint8_t sccb_page[SCCB_SIZE] ALIGNED(4096);

static int servc(uint32_t cmd, void *sccb)
{
    int cc;

    asm volatile(".insn rre,0xb2200000,%[cmd],%[sccb]\n"
                 "ipm %[cc]\n"
                 "srl %[cc],28\n"
                 : [cc] "=d" (cc)
                 : [cmd] "d" ((uint64_t)cmd), [sccb] "a" (sccb)
                 : "cc", "memory");
    return cc;
}

static int sclp_write_chunk(const char *buf, size_t len)
{
    struct sccb_header *h = (struct sccb_header *)sccb_page;
    struct event_header *e = (struct event_header *)(h + 1);

    memset(sccb_page, 0, sizeof(*h) + sizeof(*e));
    memcpy(e + 1, buf, len);
    e->length = sizeof(*e) + len;
    e->type = SCLP_EVENT_ASCII_CONSOLE;
    h->length = sizeof(*h) + e->length;
    if (servc(SCLP_CMD_WRITE_EVENT_DATA, sccb_page)) {
        return -1;
    }
    return h->response_code;
}

int sclp_write(const char *buf, size_t len)
{
    int rc = SCLP_RC_NORMAL_COMPLETION;

    while (len) {
        size_t n = len > SCLP_DATA_MAX ? SCLP_DATA_MAX : len;

        rc = sclp_write_chunk(buf, n);
        buf += n;
        len -= n;
    }
    return rc;
}

unsigned sclp_ioa(uint32_t fid, bool configure)
{
    uint8_t *p = sccb_page;

    memset(p, 0, 16);
    p[1] = 16;                              /* length */
    p[8] = SCLP_ATYPE_PCI;
    p[12] = fid >> 24;
    p[13] = fid >> 16;
    p[14] = fid >> 8;
    p[15] = fid;
    if (servc(configure ? SCLP_CMDW_CONFIGURE_IOA :
              SCLP_CMDW_DECONFIGURE_IOA, p)) {
        return 0;
    }
    return p[6] << 8 | p[7];
}
