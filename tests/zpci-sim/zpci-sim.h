/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: shared declarations of the s390 zPCI host simulator.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZPCI_SIM_H
#define ZPCI_SIM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Host driver the simulated function is bound to */
typedef enum {
    SIM_DRV_VFIO_PCI,
    SIM_DRV_ISM_VFIO_PCI,
} SimDriver;

/* zPCI I/O region offered by the simulated host kernel */
typedef enum {
    SIM_ZIO_ABSENT,
    SIM_ZIO_PRESENT,
    SIM_ZIO_STORE,
} SimZio;

/*
 * What the simulated host kernel reports and offers, as one of the host
 * profiles of config.c (key host=).  Facts about the device itself (is it
 * relaxed, does it support MIO, its real maxstbl) are not part of it.
 */
typedef struct SimHostProfile {
    const char *name;
    int base_cap_version;       /* BASE capability version (3: ccdf len) */
    bool report_relaxed;        /* GROUP flag RELAXED for a relaxed fn */
    uint16_t group_maxstbl;     /* GROUP maxstbl; 0: the function's own */
    bool refresh;               /* GROUP flag REFRESH */
    SimZio zio;                 /* zPCI I/O region */
    bool host_mio;              /* vfio-pci BAR pieces use MIO insns */
    bool mediated_recovery;     /* open starts mediated PCI error recovery */
    bool err_irq_all;           /* ERR irq count 1 for every function */
    bool zpci_err_feature;      /* VFIO_DEVICE_FEATURE_ZPCI_ERROR */
    bool ism_stb_cap;           /* ism_vfio_pci: REGION_INFO_CAP_ZPCI_STB */
} SimHostProfile;

/* Real host cost per BAR access / region request (backing.c) */
typedef enum {
    SIM_BACKING_NONE,
    SIM_BACKING_MEMFD,
} SimBacking;

#define SIM_NUM_BARS        6
#define SIM_CFG_SIZE        256     /* conventional config space */
#define SIM_CFG_SIZE_PCIE   4096    /* with a PCI Express capability */
#define SIM_PAGE_SIZE       4096ULL
#define SIM_NUM_IRQ_INDEX   5       /* INTx, MSI, MSI-X, ERR, REQ */
#define SIM_MAX_VECTORS     64

/* Region indexes (vfio-pci) */
#define SIM_REGION_ROM      6
#define SIM_REGION_CONFIG   7
#define SIM_REGION_VGA      8
#define SIM_REGION_ZIO      9       /* first device-specific region */

/* zPCI I/O region ABI (docs/zpci-sim.rst, ABI page section 4) */
#define SIM_ZIO_HDR_SIZE    16
#define SIM_ZIO_REQ_SIZE    32
#define SIM_ZIO_SIZE        (SIM_ZIO_HDR_SIZE + SIM_ZIO_REQ_SIZE)
#define SIM_ZIO_HDR_STORE   (1ULL << 0)
#define SIM_ZIO_HDR_NO_MIO  (1ULL << 1)     /* ours: the function lacks MIO */
#define SIM_ZIO_REQ_READ    (1ULL << 0)
#define SIM_ZIO_REQ_BLOCKW  (1ULL << 1)
#define SIM_ZIO_REQ_STORE   (1ULL << 2)
#define SIM_REGION_TYPE_IBM 0x80001014U
#define SIM_REGION_SUBTYPE_ZPCI_IO 2

/* The region's header (offset 0) and request (offset 16) */
struct sim_zio_hdr {
    uint64_t flags;
    uint16_t max;
    uint16_t reserved;
    uint32_t reserved2;
};

struct sim_zio_req {
    uint64_t flags;
    uint64_t gaddr;
    uint64_t offset;
    uint32_t reserved;
    uint16_t len;
    uint8_t pcias;
    uint8_t reserved2;
};

G_STATIC_ASSERT(sizeof(struct sim_zio_hdr) == SIM_ZIO_HDR_SIZE);
G_STATIC_ASSERT(sizeof(struct sim_zio_req) == SIM_ZIO_REQ_SIZE);

/*
 * ism_vfio_pci's region-info capability of the RFC kernel series
 * (kernel/0004): a write to the BAR region is one PCI Store Block of at
 * most max_len bytes.
 */
#define SIM_REGION_INFO_CAP_ZPCI_STB    6

struct sim_zpci_stb_cap {
    uint16_t id;                /* vfio_info_cap_header */
    uint16_t version;
    uint32_t next;
    uint32_t flags;
    uint16_t max_len;
    uint16_t reserved;
};

/* GROUP capability flags (ABI page sections 1 and 2) */
#define SIM_GROUP_FLAG_REFRESH  1
#define SIM_GROUP_FLAG_RELAXED  2

/*
 * PCI error reporting of Linux 7.3 (ABI page section 9): the CCDF that
 * VFIO_DEVICE_FEATURE_ZPCI_ERROR returns is struct zpci_ccdf_err
 * (arch/s390/include/asm/pci.h, packed, 32 bytes), its length is BASE v3's
 * ccdf_err_length; at most ZPCI_ERR_PENDING_MAX of them are pending.
 */
#define SIM_CCDF_ERR_LEN        32
/* sizeof(struct vfio_device_info_cap_zpci_base) of Linux 7.3 (device.c) */
#define SIM_BASE_CAP_SIZE       40
#define SIM_ERR_PENDING_MAX     4
#define SIM_FEATURE_ZPCI_ERROR  13
#define SIM_MAX_INJECT          16      /* inject-after-ops moments */

/* GROUP maxstbl of Linux: ZPCI_MAX_WRITE_SIZE (asm/pci_io.h) */
#define SIM_LINUX_MAXSTBL       128

/* No interrupt type enabled (vfio_pci_core's irq_type "none") */
#define SIM_IRQ_NONE            (-1)

/*
 * A strictness check: cond is true when the host (or the function) must
 * refuse.  run-tests builds one mutant library per check name, compiled
 * with -DSIM_MUTANT='"name"', in which that check never fires, and
 * expects the self test to report "not ok" for it.  One name may guard
 * several places that implement the same rule.
 */
#ifdef SIM_MUTANT
#define SIM_CHECK(name, cond) (__builtin_strcmp(SIM_MUTANT, name) != 0 && \
                               (cond))
#else
#define SIM_CHECK(name, cond) (cond)
#endif

typedef struct SimBar {
    uint64_t size;              /* 0: BAR not implemented */
    bool mem64;                 /* 64-bit memory BAR: takes the next slot */
    bool prefetch;
} SimBar;

typedef struct SimFunction SimFunction;
typedef struct SimContainer SimContainer;
typedef struct SimGroup SimGroup;

/*
 * A device model: the PCI function behind the host.  The host layer
 * (hostpath.c) has already checked the architecture rules for the
 * instruction before calling these; a model only adds its own
 * device-specific refusals (via sim_reject()) and returns 0, -EIO or
 * -EINVAL.
 */
typedef struct SimModel {
    const char *name;
    /* Fill in defaults (before the [function] overrides are applied) */
    void (*defaults)(SimFunction *f);
    /* Allocate model state once the configuration is final */
    void (*realize)(SimFunction *f);
    /* PCI Load of len (1, 2, 4, 8) bytes */
    int (*load)(SimFunction *f, int bar, uint64_t off, void *buf,
                unsigned len);
    /* PCI Store of len (1, 2, 4, 8) bytes */
    int (*store)(SimFunction *f, int bar, uint64_t off, const void *buf,
                 unsigned len);
    /* PCI Store Block of len bytes */
    int (*block)(SimFunction *f, int bar, uint64_t off, const void *buf,
                 unsigned len);
    /* VFIO_DEVICE_RESET */
    void (*reset)(SimFunction *f);
    /* Append the model's "state" object members to a JSON string */
    void (*dump_state)(SimFunction *f, GString *out);
} SimModel;

struct SimFunction {
    char *name;
    const SimModel *model;
    int group;
    SimDriver driver;

    /*
     * What the host reports and offers: the host profile's values, then
     * the per-function keys that override them (config.c).
     */
    const SimHostProfile *host;
    SimZio zio;
    int base_cap_version;
    unsigned base_cap_size;     /* fault: BASE spans this many bytes */
    bool report_relaxed;
    uint16_t group_maxstbl;     /* 0: the function's maxstbl */
    bool refresh;
    bool host_mio;
    bool mediated_recovery_cfg; /* vfio open starts mediated recovery */
    bool err_irq_all;           /* ERR irq index for non-PCIe functions */
    bool zpci_err_feature;      /* VFIO_DEVICE_FEATURE_ZPCI_ERROR exists */
    bool ism_stb_cap;           /* ism_vfio_pci reports its block writes */
    /*
     * The host reports the zPCI capability chain (vfio-pci built with
     * CONFIG_VFIO_PCI_ZDEV_KVM); false: VFIO_DEVICE_GET_INFO has no caps
     */
    bool zdev_caps;

    /* Facts about the function, reported in the zPCI capability chain */
    uint8_t pft;
    uint8_t gid;
    uint32_t fh;
    uint32_t fid;
    uint16_t pchid;
    uint16_t vfn;
    uint16_t maxstbl;           /* the function's real maxstbl */
    uint16_t noi;
    uint16_t mui;
    uint16_t fmb_length;
    uint8_t pci_version;
    uint64_t start_dma;
    uint64_t end_dma;
    uint64_t msi_addr;
    uint64_t dasm;
    bool relaxed;               /* relaxed length/alignment (hardware) */
    bool mio;                   /* supports the MIO instructions */
    bool pcie;                  /* has a PCI Express capability */
    uint64_t ism_gid;           /* ISM global id (ism model) */
    bool has_util;              /* CLP reported a utility string */
    uint8_t util_str[64];
    uint8_t pfip[4];

    /* PCI identity and resources */
    uint16_t vendor_id;
    uint16_t device_id;
    uint16_t subsys_vendor_id;
    uint16_t subsys_id;
    uint32_t class_code;
    uint8_t revision;
    SimBar bars[SIM_NUM_BARS];
    unsigned msi_vectors;       /* 0: no MSI capability */
    unsigned msix_vectors;      /* 0: no MSI-X capability */
    int msix_table_bar;
    uint32_t msix_table_off;
    int msix_pba_bar;
    uint32_t msix_pba_off;

    /* Config space (pci-config.c), cfg_size bytes of it */
    unsigned cfg_size;
    bool mem_enabled;           /* vfio-pci's saved memory enable bit */
    uint8_t cfg[SIM_CFG_SIZE_PCIE];
    uint8_t cfg_wmask[SIM_CFG_SIZE_PCIE];

    /* zPCI I/O region: the request area keeps what was written to it */
    uint8_t zio_req[SIM_ZIO_REQ_SIZE];

    /* Fault injection */
    unsigned fail_region_request;
    unsigned region_requests;
    bool error_state;           /* configured: permanent, reset keeps it */
    unsigned refuse_dma_map;

    /*
     * PCI error events (recovery.c).  inject_ops[]: the data operations
     * (counted in data_ops) at which an event arrives, each with its PEC
     * and failing address; inject_at_ms: instead, a time after open.
     */
    unsigned inject_n;
    uint64_t inject_ops[SIM_MAX_INJECT];
    uint16_t inject_pec[SIM_MAX_INJECT];
    uint64_t inject_faddr[SIM_MAX_INJECT];
    bool inject_fired[SIM_MAX_INJECT];
    unsigned inject_count;      /* CCDFs per moment */
    uint64_t inject_faddr_step; /* CCDF k of a moment: faddr + k * step */
    uint64_t inject_at_ms;      /* 0: no timer */
    uint64_t data_ops;          /* PCI instructions issued so far */
    unsigned open_gen;          /* device opens so far (timer guard) */
    bool mediated_recovery;     /* started by open, stopped by close */
    bool err_blocked;           /* error state entered by an event */
    bool perm_failure;          /* a PEC 0x40/0x3b event was seen */
    GQueue *pending_errs;       /* CCDFs, SIM_CCDF_ERR_LEN bytes each */
    struct {
        uint64_t events, queued, dropped, ignored, host_recovered;
        uint64_t signals, feature_reads, resets;
    } rec;

    /* Interrupt eventfds registered by SET_IRQS (-1: none) */
    int irq_fd[SIM_NUM_IRQ_INDEX][SIM_MAX_VECTORS];
    int irq_type;               /* enabled MSI/MSI-X index or IRQ_NONE */

    /* Real system call per host access (backing.c) */
    SimBacking backing;
    int backing_fd;             /* memfd, created on first use, or -1 */
    uint64_t backing_calls;

    /* Accounting (log.c) */
    GHashTable *counters;       /* op name -> uint64_t *count */
    GPtrArray *log;             /* JSON object strings */

    /* Host objects */
    int device_fd;              /* open device fd or -1 */
    SimGroup *grp;

    void *model_state;
};

struct SimContainer {
    int fd;
    bool iommu_set;
    int iommu_type;
    GArray *maps;               /* SimDmaMap, sorted by iova */
    unsigned dma_avail;
    unsigned map_requests;
    GPtrArray *groups;
};

struct SimGroup {
    int id;
    int fd;                     /* open group fd or -1 */
    SimContainer *container;
};

typedef struct SimDmaMap {
    uint64_t iova;
    uint64_t size;
    uint64_t vaddr;
    uint32_t flags;
} SimDmaMap;

typedef struct SimGlobal {
    GPtrArray *functions;
    GPtrArray *containers;
    GPtrArray *groups;
    GHashTable *fds;            /* fd -> SimFdObj */
    char *output;
    bool log_ops;
    bool flush;
    unsigned dma_limit;
    SimBacking backing;         /* default of every function */
    const SimHostProfile *host; /* default of every function */
    GPtrArray *errors;          /* JSON string literals (already quoted) */
    GRecMutex lock;
    bool ready;
    bool used;                  /* this process opened a VFIO file */
} SimGlobal;

typedef enum {
    SIM_FD_CONTAINER,
    SIM_FD_GROUP,
    SIM_FD_DEVICE,
    /*
     * A device fd QEMU closed: kept open (an eventfd) so that its number is
     * not reused, and any later use of it is a simulator error (QEMU used
     * a device after it let it go, e.g. after an unplug)
     */
    SIM_FD_CLOSED,
} SimFdKind;

typedef struct SimFdObj {
    SimFdKind kind;
    void *obj;
} SimFdObj;

extern SimGlobal sim;

/* intercept.c: the real libc */
int sim_real_close(int fd);
ssize_t sim_real_write(int fd, const void *buf, size_t n);
int sim_new_fd(void);

/* config.c */
void sim_config_load(void);
const SimHostProfile *sim_host_profile(const char *name);
const SimModel *sim_model_find(const char *name);
SimFunction *sim_function_by_name(const char *name);
SimGroup *sim_group_find(int id);

/* log.c */
void sim_count(SimFunction *f, const char *op);
void sim_log(SimFunction *f, const char *op, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void sim_reject(SimFunction *f, const char *what, int err,
                const char *reason, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
void sim_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void sim_digest(const void *buf, size_t n, char hex[65]);
const char *sim_errname(int err);
void sim_dump_json(void);
void sim_flush(void);
void sim_json_escape(GString *out, const char *s);

/* vfio.c */
int sim_open_container(void);
int sim_open_group(int id);
int sim_container_ioctl(SimContainer *c, unsigned long req, void *arg);
int sim_group_ioctl(SimGroup *g, unsigned long req, void *arg);

/* dma.c */
int sim_dma_map(SimContainer *c, SimFunction *f, void *arg);
int sim_dma_unmap(SimContainer *c, void *arg);
bool sim_dma_check(SimFunction *f, uint64_t iova, uint64_t len, bool write);
bool sim_dma_rw(SimFunction *f, uint64_t iova, void *buf, uint64_t len,
                bool write);
void *sim_dma_ptr(SimFunction *f, uint64_t iova, uint64_t len);
void sim_container_iommu_info(SimContainer *c, void *arg);

/* device.c */
int sim_device_ioctl(SimFunction *f, unsigned long req, void *arg);
ssize_t sim_device_pread(SimFunction *f, void *buf, size_t n, off_t off);
ssize_t sim_device_pwrite(SimFunction *f, const void *buf, size_t n,
                          off_t off);
unsigned sim_num_regions(SimFunction *f);
uint64_t sim_region_offset(SimFunction *f, unsigned index);

/* hostpath.c: BAR regions as the host kernel drives them */
ssize_t sim_bar_pread(SimFunction *f, int bar, void *buf, size_t n,
                      uint64_t off);
ssize_t sim_bar_pwrite(SimFunction *f, int bar, const void *buf, size_t n,
                       uint64_t off);
int sim_insn_load(SimFunction *f, const char *op, int bar, uint64_t off,
                  void *buf, unsigned len, bool mio);
int sim_insn_store(SimFunction *f, const char *op, int bar, uint64_t off,
                   const void *buf, unsigned len, bool mio);
int sim_insn_block(SimFunction *f, const char *op, int bar, uint64_t off,
                   const void *buf, unsigned len);
bool sim_memory_enabled(SimFunction *f);

/* backing.c */
bool sim_backing_parse(const char *s, SimBacking *out);
const char *sim_backing_name(SimBacking b);
int sim_backing_io(SimFunction *f, bool write, void *buf, size_t n, int bar,
                   uint64_t off);

/* zio.c */
ssize_t sim_zio_pread(SimFunction *f, void *buf, size_t n, uint64_t off);
ssize_t sim_zio_pwrite(SimFunction *f, const void *buf, size_t n,
                       uint64_t off);

/* pci-config.c */
void sim_cfg_build(SimFunction *f);
void sim_cfg_reset(SimFunction *f);
ssize_t sim_cfg_pread(SimFunction *f, void *buf, size_t n, uint64_t off);
ssize_t sim_cfg_pwrite(SimFunction *f, const void *buf, size_t n,
                       uint64_t off);

/* recovery.c: PCI error events, mediated recovery, ZPCI_ERROR feature */
void sim_recovery_open(SimFunction *f);
void sim_recovery_close(SimFunction *f);
void sim_recovery_reset(SimFunction *f);
bool sim_recovery_op(SimFunction *f, const char *op, int bar, uint64_t off,
                     unsigned len);
bool sim_in_error_state(SimFunction *f);
int sim_device_feature(SimFunction *f, void *arg);
void sim_recovery_dump(SimFunction *f, GString *out);

/* irq.c */
int sim_set_irqs(SimFunction *f, void *arg);
unsigned sim_irq_count(SimFunction *f, unsigned index);
bool sim_irq_raise(SimFunction *f, unsigned index, unsigned vector);
void sim_irq_reset(SimFunction *f);

/* models */
extern const SimModel sim_model_ism;
extern const SimModel sim_model_msix_nic;
extern const SimModel sim_model_msi_dev;

/* Byte order helpers: s390 structures are big-endian, PCI is LE */
static inline uint64_t sim_ldq_be(const void *p)
{
    const uint8_t *b = p;
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = (v << 8) | b[i];
    }
    return v;
}

static inline uint32_t sim_ldl_be(const void *p)
{
    const uint8_t *b = p;

    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
           ((uint32_t)b[2] << 8) | b[3];
}

static inline uint16_t sim_lduw_be(const void *p)
{
    const uint8_t *b = p;

    return (uint16_t)((b[0] << 8) | b[1]);
}

static inline void sim_stq_be(void *p, uint64_t v)
{
    uint8_t *b = p;
    int i;

    for (i = 7; i >= 0; i--) {
        b[i] = v & 0xff;
        v >>= 8;
    }
}

static inline void sim_stl_be(void *p, uint32_t v)
{
    uint8_t *b = p;

    b[0] = v >> 24;
    b[1] = v >> 16;
    b[2] = v >> 8;
    b[3] = v;
}

static inline void sim_stw_be(void *p, uint16_t v)
{
    uint8_t *b = p;

    b[0] = v >> 8;
    b[1] = v;
}

static inline uint32_t sim_ldl_le(const void *p)
{
    const uint8_t *b = p;

    return ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) |
           ((uint32_t)b[1] << 8) | b[0];
}

static inline void sim_stl_le(void *p, uint32_t v)
{
    uint8_t *b = p;

    b[0] = v;
    b[1] = v >> 8;
    b[2] = v >> 16;
    b[3] = v >> 24;
}

static inline void sim_stw_le(void *p, uint16_t v)
{
    uint8_t *b = p;

    b[0] = v;
    b[1] = v >> 8;
}

#endif /* ZPCI_SIM_H */
