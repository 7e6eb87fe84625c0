/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * CHANNEL SUBSYSTEM CALL: store event information (PCI events).
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "sei.h"

int chsc(void *area)
{
    int cc;

    asm volatile(".insn rre,0xb25f0000,%[a],0\n"
                 "ipm %[cc]\n"
                 "srl %[cc],28\n"
                 : [cc] "=d" (cc)
                 : [a] "d" (area)
                 : "cc", "memory");
    return cc;
}

int chsc_sei(uint8_t *area, uint16_t req_len, uint16_t *rsp_code)
{
    uint8_t *rsp = area + req_len;
    int cc;

    memset(area, 0, 16);
    memset(rsp, 0, 8);
    area[0] = req_len >> 8;                 /* request length */
    area[1] = req_len;
    area[3] = 0x0e;                         /* command: SEI */
    area[8] = 0x20;                         /* selection: NT2 (bit 2) */
    cc = chsc(area);
    *rsp_code = rsp[2] << 8 | rsp[3];
    return cc;
}
