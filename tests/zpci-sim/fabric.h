/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: the ISM fabric, an internal shared memory network that spans
 * processes (fabric.c), and what the ism model offers it.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZPCI_SIM_FABRIC_H
#define ZPCI_SIM_FABRIC_H

#include "zpci-sim.h"

/* DMB tokens of a process in the fabric: slot << 44 | seq << 32 */
#define SIM_FABRIC_SEQ_MAX      0xfffU

/* fabric.c */
bool sim_fabric_enabled(void);
void sim_fabric_attach(SimFunction *f);
uint64_t sim_fabric_token(SimFunction *f, uint64_t seq);
void sim_fabric_dmb_registered(SimFunction *f, uint64_t token, uint32_t len,
                               uint64_t rgid);
void sim_fabric_dmb_unregistered(uint64_t token);
bool sim_fabric_knows_gid(SimFunction *f, uint64_t gid);
int sim_fabric_move(SimFunction *f, uint64_t off, const void *buf,
                    unsigned len, char *why, size_t whylen);
int sim_fabric_signal(SimFunction *f, uint64_t gid, uint32_t code,
                      uint64_t info, bool trigger, char *why,
                      size_t whylen);
void sim_fabric_dump(SimFunction *f, GString *out);

/*
 * models/ism.c, for moves and signals that arrive from the fabric (and
 * for local ones): the caller holds sim.lock.  from_gid is the sending
 * function's GID, from its name for the log.  On success *to is the
 * function that received; on failure why says what a real ISM refuses.
 */
int sim_ism_deliver(uint64_t from_gid, const char *from, uint64_t off,
                    const void *buf, unsigned len, SimFunction **to,
                    const char **why);
int sim_ism_signal(uint64_t from_gid, uint64_t gid, uint32_t code,
                   uint64_t info, bool trigger, SimFunction **to,
                   const char **why);

#endif /* ZPCI_SIM_FABRIC_H */
