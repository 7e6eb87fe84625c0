/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * CALL LOGICAL PROCESSOR (CLP) commands for PCI functions.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * One 8 KiB block holds the 32-byte request followed by the response.
 */
#include "zpci/clp.h"

#define CLP_LIST_PCI        0x0002
#define CLP_QUERY_PCI_FN    0x0003
#define CLP_QUERY_PCI_FNGRP 0x0004
#define CLP_SET_PCI_FN      0x0005

#define CLP_REQ_LEN         32
#define CLP_RSP_LEN         (4096 - CLP_REQ_LEN)
#define CLP_LIST_HDR_LEN    32

struct clp_req {
    uint16_t len;
    uint16_t cmd;
    uint32_t fmt;
    uint64_t reserved1;
    union {
        uint64_t resume_token;              /* LIST PCI */
        struct {
            uint32_t fh;                    /* QUERY, SET */
            uint16_t reserved2;
            uint8_t oc;                     /* SET */
            uint8_t ndas;                   /* SET */
        } PACKED fn;
        struct {
            uint8_t reserved2[3];
            uint8_t pfgid;                  /* QUERY GROUP */
            uint32_t reserved3;
        } PACKED grp;
    } u;
    uint64_t reserved4;
} PACKED;

struct clp_rsp_list {
    uint16_t len;
    uint16_t rsp;
    uint32_t fmt;
    uint64_t reserved1;
    uint64_t resume_token;
    uint32_t mdd;
    uint16_t max_fn;
    uint8_t flags;
    uint8_t entry_size;
    struct clp_fh_entry entries[];
} PACKED;

struct clp_rsp_set {
    uint16_t len;
    uint16_t rsp;
    uint32_t fmt;
    uint64_t reserved1;
    uint32_t fh;
} PACKED;

static uint8_t clp_block[8192] ALIGNED(4096);

static int clp_insn(void *block)
{
    uint64_t ignored;
    int cc;

    asm volatile(".insn rrf,0xb9a00000,%[ign],%[blk],0,2\n"
                 "ipm %[cc]\n"
                 "srl %[cc],28\n"
                 : [cc] "=d" (cc), [ign] "=d" (ignored)
                 : [blk] "a" (block)
                 : "cc", "memory");
    return cc;
}

static struct clp_req *clp_prepare(uint16_t cmd)
{
    struct clp_req *req = (struct clp_req *)clp_block;

    memset(clp_block, 0, CLP_REQ_LEN + CLP_RSP_LEN);
    req->len = CLP_REQ_LEN;
    req->cmd = cmd;
    *(uint16_t *)(clp_block + CLP_REQ_LEN) = CLP_RSP_LEN;
    return req;
}

static void *clp_rsp(void)
{
    return clp_block + CLP_REQ_LEN;
}

int clp_list_pci_once(uint64_t token, struct clp_fh_entry *list, int max,
                      int *n, uint64_t *next, uint16_t *rsp)
{
    struct clp_req *req = clp_prepare(CLP_LIST_PCI);
    struct clp_rsp_list *r = clp_rsp();
    int entries, cc;

    *n = 0;
    *next = 0;
    req->u.resume_token = token;
    cc = clp_insn(clp_block);
    *rsp = r->rsp;
    if (cc || r->rsp != CLP_RC_OK) {
        return cc;
    }
    if (r->entry_size != sizeof(struct clp_fh_entry)) {
        return 3;
    }
    entries = (r->len - CLP_LIST_HDR_LEN) / r->entry_size;
    for (int i = 0; i < entries && *n < max; i++) {
        list[(*n)++] = r->entries[i];
    }
    *next = r->resume_token;
    return 0;
}

int clp_list_pci(struct clp_fh_entry *list, int max, int *n, uint16_t *rsp)
{
    uint64_t token = 0;
    int cc, got;

    *n = 0;
    do {
        cc = clp_list_pci_once(token, list + *n, max - *n, &got, &token, rsp);
        if (cc || *rsp != CLP_RC_OK) {
            return cc;
        }
        *n += got;
    } while (token && *n < max);
    return 0;
}

int clp_query_pci(uint32_t fh, struct clp_query_pci *out, uint16_t *rsp)
{
    struct clp_req *req = clp_prepare(CLP_QUERY_PCI_FN);
    int cc;

    req->u.fn.fh = fh;
    cc = clp_insn(clp_block);
    memcpy(out, clp_rsp(), sizeof(*out));
    *rsp = out->rsp;
    return cc;
}

int clp_query_pci_grp(uint8_t pfgid, struct clp_query_pci_grp *out,
                      uint16_t *rsp)
{
    struct clp_req *req = clp_prepare(CLP_QUERY_PCI_FNGRP);
    int cc;

    req->u.grp.pfgid = pfgid;
    cc = clp_insn(clp_block);
    memcpy(out, clp_rsp(), sizeof(*out));
    *rsp = out->rsp;
    return cc;
}

int clp_set_pci(uint32_t fh, uint8_t oc, uint8_t ndas, uint32_t *new_fh,
                uint16_t *rsp)
{
    struct clp_req *req = clp_prepare(CLP_SET_PCI_FN);
    struct clp_rsp_set *r = clp_rsp();
    int cc;

    req->u.fn.fh = fh;
    req->u.fn.oc = oc;
    req->u.fn.ndas = ndas;
    cc = clp_insn(clp_block);
    *rsp = r->rsp;
    if (!cc && r->rsp == CLP_RC_OK && new_fh) {
        *new_fh = r->fh;
    }
    return cc;
}

int clp_enable(uint32_t fh, uint32_t *new_fh, uint16_t *rsp)
{
    return clp_set_pci(fh, 0, 1, new_fh, rsp);
}

int clp_disable(uint32_t fh, uint32_t *new_fh, uint16_t *rsp)
{
    return clp_set_pci(fh, 1, 0, new_fh, rsp);
}

bool clp_find(uint32_t fid, uint16_t vendor, uint16_t device,
              struct clp_fh_entry *out)
{
    static struct clp_fh_entry list[64];
    uint16_t rsp;
    int n;

    if (clp_list_pci(list, ARRAY_SIZE(list), &n, &rsp) || rsp != CLP_RC_OK) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        bool match = fid != ~0u ? list[i].fid == fid :
                     list[i].vendor_id == vendor &&
                     list[i].device_id == device;

        if (match) {
            *out = list[i];
            return true;
        }
    }
    return false;
}
