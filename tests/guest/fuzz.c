/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Seeded random zPCI instructions: a fuzz payload for the fork.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The payload enables the functions it is given, sets them up the way a
 * driver would (DMA translation, adapter interruptions, MSI-X or MSI),
 * then issues "count" pseudo-random PCILG, PCISTG, PCISTB, RPCIT, MPCIFC,
 * STPCIFC, SIC and CLP instructions drawn from a seeded generator: valid
 * and invalid function handles, every length field value including 0 and
 * 0x1fff, every address space, offsets near 2^64, blocks across 4 KiB and
 * across the MSI-X table, unaligned second operands, operands at the last
 * byte of RAM and beyond it.  Every instruction is bracketed by its own
 * program-interruption catcher: an interruption is recorded, and the CPU
 * resumes after the instruction.
 *
 * Memory the machine may write on the guest's behalf (CLP response blocks,
 * STPCIFC's FIB, the measurement block, interruption indicators, device
 * DMA through the guest's translation tables) is only ever pointed at the
 * payload's scratch areas, at the last 64 KiB of RAM, or beyond RAM, so
 * the payload survives whatever the fuzzed instructions do.
 *
 * Parameters (tests/fuzz/run-fuzz passes them):
 *   seed       generator seed (any 64-bit value)
 *   count      number of fuzzed instructions
 *   nfid, fidN the functions to use (N = 0 .. nfid-1)
 *   ram        guest RAM size in bytes (the -m of the run)
 *   repair     every this many instructions re-enable and re-register
 *              what fuzzing undid (default 256); after most instructions
 *              a cheaper step re-enables and resets the error state
 *   progress   print "# fuzz at=K" every this many instructions
 *   trace_from print every instruction from this index on (reproducers)
 *   ghostN     fids of zPCI functions the run has besides the fuzzed
 *              ones (a zpci device without its PCI device: reserved);
 *              SCLP commands name them as well (N = 0 .. nghost-1)
 *   bound_us   no instruction may take longer (default 1000000): a
 *              refresh or a store that holds the vCPU longer fails
 *              fuzz-time
 *   min_ms     go on past count until this many ms have passed (the
 *              host's timed events during the run)
 *   ngone, goneN  fids the host may unplug during the run: fuzz-health
 *              does not require them when CLP no longer lists them
 *   pow2_ls    1: PCILG/PCISTG lengths only 1, 2, 4, 8; no_msix_stb 1: no
 *              PCI Store Block touches the MSI-X table or PBA.  Knobs to
 *              fuzz past a known defect by hand (run-fuzz --param); never
 *              used by the suite
 *
 * Output: "# fuzz ..." summary lines per instruction kind (with the
 *   longest one's duration), then the checks fuzz-setup, fuzz-complete,
 *   fuzz-architecture, fuzz-time, fuzz-health.
 *
 * fuzz-architecture holds the guest-visible rules of the design brief
 * (docs/ism-passthrough.rst): a PCI Load/Store/Store Block that breaks an
 * architected length, alignment or boundary rule, names no enabled
 * function or an invalid address space never completes with condition
 * code 0.
 */
#include "zpci.h"
#include "sclp.h"
#include "asm-offsets.h"

#define MAX_FNS             4
#define PAGE                4096ull

#define ISM_VENDOR          0x1014
#define ISM_DEVICE          0x04ed

/* ---- scratch memory ------------------------------------------------------ */

/* PCISTB sources: any block of up to 0x1fff bytes at any byte offset */
static uint8_t stb_area[4 * PAGE] ALIGNED(4096);
/* CLP request/response blocks: up to 8 KiB at any offset in the first half */
static uint8_t clp_area[4 * PAGE] ALIGNED(4096);
/* FIBs (read by MPCIFC, written by STPCIFC) */
static uint8_t fib_area[2 * PAGE] ALIGNED(4096);
/* indicators and measurement blocks the machine writes */
static uint8_t ind_area[4 * PAGE] ALIGNED(4096);
/* device DMA: the only memory the guest's translation tables map */
static uint8_t dma_area[16 * PAGE] ALIGNED(4096);
/* CHSC request/response blocks (4 KiB aligned, response after request) */
static uint8_t chsc_area[2 * PAGE] ALIGNED(4096);
/* all zero: a translation table here has only invalid (zero) entries */
static uint8_t zero_area[4 * PAGE] ALIGNED(16384);

/* ---- program interruptions ---------------------------------------------- */

static volatile uint64_t resume_addr;   /* set by each fuzzed instruction */
static volatile bool pgm_armed;
static volatile uint16_t pgm_caught;
static volatile uint64_t pgm_old_addr;
static uint8_t pgm_stack[8192] ALIGNED(8) __attribute__((used));

void fuzz_pgm_handler(void);

asm(".text\n"
    ".align 8\n"
    "fuzz_pgm_entry:\n"
    "  stmg %r0,%r15,0x200\n"
    "  larl %r15,pgm_stack+8192-160\n"
    "  xc 0(8,%r15),0(%r15)\n"
    "  brasl %r14,fuzz_pgm_handler\n"
    "  lmg %r0,%r15,0x200\n"
    "  lpswe 0x150\n");
extern char fuzz_pgm_entry[];

/* volatile: low core is written by the machine */
#define LC16(off) (*(volatile uint16_t *)(uintptr_t)(off))
#define LC64(off) (*(volatile uint64_t *)(uintptr_t)(off))

void fuzz_pgm_handler(void)
{
    uint16_t code = LC16(LC_PGM_CODE);

    pgm_old_addr = LC64(LC_PGM_OLD_PSW + 8);
    if (!pgm_armed) {
        printf("not ok - fuzz-unexpected-interruption: code 0x%x at 0x%lx "
               "(r1 0x%lx r2 0x%lx r14 0x%lx)\n", code, pgm_old_addr,
               LC64(LC_PGM_SAVE + 8), LC64(LC_PGM_SAVE + 16),
               LC64(LC_PGM_SAVE + 14 * 8));
        printf("DONE\n");
        payload_exit(1);
    }
    pgm_armed = false;
    pgm_caught = code;
    /* continue after the instruction, whatever QEMU reported */
    LC64(LC_PGM_OLD_PSW + 8) = resume_addr;
}

static void install_pgm_handler(void)
{
    LC64(LC_PGM_NEW_PSW) = PSW_MASK_64;
    LC64(LC_PGM_NEW_PSW + 8) = (uintptr_t)fuzz_pgm_entry;
}

static inline void arm(void)
{
    pgm_caught = 0;
    barrier();
    pgm_armed = true;
    barrier();
}

static inline uint16_t disarm(void)
{
    barrier();
    pgm_armed = false;
    return pgm_caught;
}

/*
 * The instructions.  Each stores the address after itself in resume_addr
 * first; the handler resumes there.  They return the condition code.
 */
#define PROLOGUE "larl %%r1,0f\n\tstg %%r1,%[res]\n\t"
#define EPILOGUE "\n0:\tipm %[cc]\n\tsrl %[cc],28\n"

static int x_pcilg(uint64_t *req, uint64_t off, uint64_t *data)
{
    register uint64_t r2 asm("2") = *req;
    register uint64_t r3 asm("3") = off;
    uint64_t val = *data;
    int cc;

    asm volatile(PROLOGUE ".insn rre,0xb9d20000,%[val],%[r2]" EPILOGUE
                 : [cc] "=&d" (cc), [val] "+d" (val), [r2] "+d" (r2),
                   [res] "=Q" (resume_addr)
                 : "d" (r3)
                 : "r1", "cc", "memory");
    *req = r2;
    *data = val;
    return cc;
}

/* PCILG with an odd second register: always a specification exception */
static int x_pcilg_odd(uint64_t req)
{
    register uint64_t r3 asm("3") = req;
    register uint64_t r4 asm("4") = 0;
    int cc;

    asm volatile(PROLOGUE ".insn rre,0xb9d20000,%%r4,%%r3" EPILOGUE
                 : [cc] "=&d" (cc), "+d" (r4), [res] "=Q" (resume_addr)
                 : "d" (r3)
                 : "r1", "cc", "memory");
    return cc;
}

static int x_pcistg(uint64_t *req, uint64_t off, uint64_t data)
{
    register uint64_t r2 asm("2") = *req;
    register uint64_t r3 asm("3") = off;
    int cc;

    asm volatile(PROLOGUE ".insn rre,0xb9d00000,%[val],%[r2]" EPILOGUE
                 : [cc] "=&d" (cc), [r2] "+d" (r2), [res] "=Q" (resume_addr)
                 : [val] "d" (data), "d" (r3)
                 : "r1", "cc", "memory");
    *req = r2;
    return cc;
}

static int x_pcistg_odd(uint64_t req, uint64_t data)
{
    register uint64_t r5 asm("5") = req;
    register uint64_t r6 asm("6") = data;
    int cc;

    asm volatile(PROLOGUE ".insn rre,0xb9d00000,%%r6,%%r5" EPILOGUE
                 : [cc] "=&d" (cc), [res] "=Q" (resume_addr)
                 : "d" (r5), "d" (r6)
                 : "r1", "cc", "memory");
    return cc;
}

static int x_pcistb(uint64_t *req, uint64_t off, uint64_t gaddr)
{
    register uint64_t r2 asm("2") = *req;
    register uint64_t r3 asm("3") = off;
    register uint64_t r4 asm("4") = gaddr;
    int cc;

    /* the second operand is D2(B2) = 0(%r4): any 64-bit address */
    asm volatile(PROLOGUE ".insn rsy,0xeb00000000d0,%[r2],%[r3],0(%[r4])"
                 EPILOGUE
                 : [cc] "=&d" (cc), [r2] "+d" (r2), [res] "=Q" (resume_addr)
                 : [r3] "d" (r3), [r4] "a" (r4)
                 : "r1", "cc", "memory");
    *req = r2;
    return cc;
}

static int x_rpcit(uint64_t *req, uint64_t start, uint64_t len)
{
    register uint64_t r2 asm("2") = start;
    register uint64_t r3 asm("3") = len;
    uint64_t r1 = *req;
    int cc;

    asm volatile(PROLOGUE ".insn rre,0xb9d30000,%[r1],%[r2]" EPILOGUE
                 : [cc] "=&d" (cc), [r1] "+d" (r1), [res] "=Q" (resume_addr)
                 : [r2] "d" (r2), "d" (r3)
                 : "r1", "cc", "memory");
    *req = r1;
    return cc;
}

static int x_rpcit_odd(uint64_t req)
{
    register uint64_t r7 asm("7") = 0;
    register uint64_t r8 asm("8") = req;
    int cc;

    asm volatile(PROLOGUE ".insn rre,0xb9d30000,%%r8,%%r7" EPILOGUE
                 : [cc] "=&d" (cc), [res] "=Q" (resume_addr)
                 : "d" (r7), "d" (r8)
                 : "r1", "cc", "memory");
    return cc;
}

static int x_mpcifc(uint64_t *req, uint64_t fiba)
{
    register uint64_t r4 asm("4") = fiba;
    uint64_t r1 = *req;
    int cc;

    asm volatile(PROLOGUE ".insn rxy,0xe300000000d0,%[r1],0(%[r4])" EPILOGUE
                 : [cc] "=&d" (cc), [r1] "+d" (r1), [res] "=Q" (resume_addr)
                 : [r4] "a" (r4)
                 : "r1", "cc", "memory");
    *req = r1;
    return cc;
}

static int x_stpcifc(uint64_t *req, uint64_t fiba)
{
    register uint64_t r4 asm("4") = fiba;
    uint64_t r1 = *req;
    int cc;

    asm volatile(PROLOGUE ".insn rxy,0xe300000000d4,%[r1],0(%[r4])" EPILOGUE
                 : [cc] "=&d" (cc), [r1] "+d" (r1), [res] "=Q" (resume_addr)
                 : [r4] "a" (r4)
                 : "r1", "cc", "memory");
    *req = r1;
    return cc;
}

static int x_clp(uint64_t block)
{
    register uint64_t r4 asm("4") = block;
    uint64_t ign = 0;
    int cc;

    asm volatile(PROLOGUE ".insn rrf,0xb9a00000,%[ign],%[blk],0,2" EPILOGUE
                 : [cc] "=&d" (cc), [ign] "+d" (ign), [res] "=Q" (resume_addr)
                 : [blk] "d" (r4)
                 : "r1", "cc", "memory");
    return cc;
}

static int x_chsc(uint64_t area)
{
    register uint64_t r4 asm("4") = area;
    int cc;

    asm volatile(PROLOGUE ".insn rre,0xb25f0000,%[a],0" EPILOGUE
                 : [cc] "=&d" (cc), [res] "=Q" (resume_addr)
                 : [a] "d" (r4)
                 : "r1", "cc", "memory");
    return cc;
}

static int x_sic(uint64_t mode, uint64_t isc)
{
    register uint64_t r2 asm("2") = mode;
    register uint64_t r3 asm("3") = isc;
    int cc;

    asm volatile(PROLOGUE ".insn rsy,0xeb00000000d1,%[r2],%[r3],0" EPILOGUE
                 : [cc] "=&d" (cc), [res] "=Q" (resume_addr)
                 : [r2] "d" (r2), [r3] "d" (r3)
                 : "r1", "cc", "memory");
    return cc;
}

/* ---- the generator ------------------------------------------------------- */

static uint64_t rng_state;

/* splitmix64: every seed, 0 included, gives a full-period sequence */
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform in [0, n) (n > 0); the bias of the modulo does not matter here */
static uint64_t below(uint64_t n)
{
    return rnd() % n;
}

static bool chance(unsigned percent)
{
    return below(100) < percent;
}

/* ---- the functions -------------------------------------------------------- */

struct fuzz_fn {
    uint32_t fid;
    uint32_t fh;                /* handle as listed (enable bit as it is) */
    uint32_t efh;               /* enabled handle, valid if enabled */
    bool enabled;
    bool standby;               /* listed, not configured (SCLP) */
    uint16_t vendor, device;
    bool ism;
    uint8_t pfgid;
    uint16_t maxstbl;
    bool relaxed;
    uint64_t msia;
    uint64_t sdma, edma;
    uint64_t bar_size[6];       /* 0: no BAR */
    struct zpci_msix msix;      /* entries 0: none */
    uint8_t msi_cap;
};

static struct fuzz_fn fns[MAX_FNS];
static unsigned nfns;
static uint64_t ram_size;
static struct zpci_dma_space dma;
static uint64_t dma_iova;       /* iova of dma_area */
static uint64_t ism_tokens[8];  /* DMB tokens the ISM functions handed out */
static unsigned n_tokens;
static uint32_t ghosts[MAX_FNS];    /* fids of reserved functions */
static unsigned nghosts;
/* fids the host may unplug during the run: not required to answer */
static uint32_t gone_ok[MAX_FNS];
static unsigned ngone_ok;

static bool list_functions(void);

/* ---- statistics ---------------------------------------------------------- */

enum kind {
    K_PCILG, K_PCISTG, K_PCISTB, K_RPCIT, K_MPCIFC, K_STPCIFC, K_CLP, K_SIC,
    K_ISMCMD, K_CHSC, K_SCLP, K_MAX
};

static const char *const kind_name[K_MAX] = {
    "pcilg", "pcistg", "pcistb", "rpcit", "mpcifc", "stpcifc", "clp", "sic",
    "ism-cmd", "chsc-sei", "sclp-ioa",
};

struct stats {
    uint64_t n, cc[4], spec, operand, addressing, other_pgm;
    uint64_t max_us;            /* the longest one */
};

static struct stats st[K_MAX];
static bool saw_cc1;            /* an error state may need resetting */
static uint64_t executed;
static uint64_t trace_from;
static uint64_t violations;
static bool pow2_ls, no_msix_stb;
static enum kind last_kind;     /* what account() counted last */
static uint64_t bound_us;
static uint64_t over_bound;     /* instructions that took longer */

static void account(enum kind k, int cc, uint16_t pgm)
{
    struct stats *s = &st[k];

    s->n++;
    executed++;
    last_kind = k;
    switch (pgm) {
    case 0:
        s->cc[cc & 3]++;
        saw_cc1 |= cc == 1;
        break;
    case PGM_SPECIFICATION:
        s->spec++;
        break;
    case PGM_OPERAND:
        s->operand++;
        break;
    case PGM_ADDRESSING:
        s->addressing++;
        break;
    default:
        s->other_pgm++;
        break;
    }
}

static void violation(const char *what, uint64_t a, uint64_t b, uint64_t c,
                      uint64_t d)
{
    violations++;
    if (violations <= 10) {
        printf("# fuzz violation op=%lu: %s (0x%lx 0x%lx 0x%lx 0x%lx)\n",
               executed, what, a, b, c, d);
    }
}

static bool tracing(void)
{
    return executed >= trace_from;
}

/* ---- operand choices ----------------------------------------------------- */

static struct fuzz_fn *any_fn(void)
{
    return &fns[below(nfns)];
}

/*
 * The handle of any index QEMU handed out (one per zpci device, from 0),
 * in any state: reserved (nothing but the index), standby or disabled
 * (the vfio or emulation bit), with or without the enable bit.
 */
static uint32_t index_fh(void)
{
    return (uint32_t)below(nfns + nghosts + 1) | (uint32_t)below(3) << 16 |
           (chance(50) ? CLP_FH_ENABLED : 0);
}

/* A function handle: mostly a real enabled one, sometimes anything */
static uint32_t pick_fh(struct fuzz_fn **out)
{
    struct fuzz_fn *f = any_fn();

    *out = NULL;
    switch (below(20)) {
    case 0:
        return f->efh & ~CLP_FH_ENABLED;                 /* disabled */
    case 1:
        return f->efh ^ (1u << below(32));               /* one bit off */
    case 2:
        return (uint32_t)rnd();
    case 3:
        return below(2) ? 0 : 0xffffffffu;
    case 4:
        return CLP_FH_ENABLED | (uint32_t)below(0x100);  /* index guess */
    case 5:
    case 6:
        return index_fh();
    default:
        *out = f;
        return f->efh;
    }
}

/* Is fh the enabled handle of one of our functions right now? */
/*
 * Enabled handles of listed functions the run does not know (the host
 * hot-plugged them, and a fuzzed CLP enabled them), as of the last LIST
 */
static uint32_t other_efh[64];
static unsigned nother_efh;

static bool enabled_elsewhere(uint32_t fh)
{
    for (unsigned i = 0; i < nother_efh; i++) {
        if (other_efh[i] == fh) {
            return true;
        }
    }
    return false;
}

static struct fuzz_fn *fn_by_enabled_fh(uint32_t fh)
{
    for (unsigned i = 0; i < nfns; i++) {
        if (fns[i].enabled && fns[i].efh == fh) {
            return &fns[i];
        }
    }
    return NULL;
}

static uint8_t pick_as(const struct fuzz_fn *f)
{
    unsigned bars[6], n = 0;

    if (f) {
        for (unsigned i = 0; i < 6; i++) {
            if (f->bar_size[i]) {
                bars[n++] = i;
            }
        }
    }
    switch (below(10)) {
    case 0:
        return 15;
    case 1:
    case 2:
        return below(16);
    default:
        return n ? bars[below(n)] : below(16);
    }
}

/* An offset in address space as of function f for an access of len bytes */
static uint64_t pick_offset(const struct fuzz_fn *f, uint8_t as, unsigned len)
{
    uint64_t size = (f && as < 6) ? f->bar_size[as] : (as == 15 ? 256 : 0);
    uint64_t base;

    switch (below(16)) {
    case 0:
        return 0;
    case 1:
        return rnd();
    case 2:
        return -(uint64_t)(1 + below(2 * len + 16));     /* near 2^64 */
    case 3:
        return (1ull << 63) + below(64) - 32;
    case 4:                                             /* around 4 KiB */
        return PAGE * (1 + below(size > PAGE ? size / PAGE : 4)) -
               below(len + 16) + below(16);
    case 5:                                             /* the BAR's end */
        return size ? size - below(len + 16) + below(16) : below(0x2000);
    case 6:
    case 7:
        /* the MSI-X table and PBA, their edges and just around them */
        if (f && f->msix.entries) {
            uint64_t t = f->msix.table_off, p = f->msix.pba_off;
            uint64_t tend = t + f->msix.entries * 16ull;

            switch (below(6)) {
            case 0:
                return t + below(tend - t);
            case 1:
                return t - below(len + 8);
            case 2:
                return tend - below(len + 8) + below(8);
            case 3:
                return p + below(16);
            case 4:
                return p - below(len + 8);
            default:
                return t - 8 * below(4);
            }
        }
        break;
    case 8:
        if (f && f->ism && as == 0) {                   /* DMB addressing */
            uint64_t tok = n_tokens && chance(70) ?
                           ism_tokens[below(n_tokens)] :
                           (below(8) + 1) << 32;

            return tok | below(4) << 24 | (uint64_t)below(2) << 23 |
                   below(0x4000);
        }
        break;
    case 9:
        return size ? size + below(PAGE) : 1ull << (12 + below(52));
    default:
        break;
    }
    base = size ? below(size) : below(0x4000);
    switch (below(4)) {
    case 0:
        return base;
    case 1:
        return base & ~7ull;
    case 2:
        return base & ~(PAGE - 1);
    default:
        return (base & ~7ull) + below(8);
    }
}

/* A PCI Store Block length: the interesting values of the 13-bit field */
static unsigned pick_stb_len(const struct fuzz_fn *f)
{
    unsigned max = f ? f->maxstbl : 128;

    switch (below(14)) {
    case 0:
        return 0;
    case 1:
        return 0x1fff;
    case 2:
        return 1 + below(16);
    case 3:
        return 8;
    case 4:
        return max;
    case 5:
        return max + 1 + below(8);
    case 6:
        return max - below(8);
    case 7:
        return 4096;
    case 8:
        return 4097 + below(8);
    case 9:
        return 256;
    case 10:
        return below(0x2000);
    default:
        return 8 * (1 + below(max / 8 ? max / 8 : 1));
    }
}

/*
 * A guest address of len bytes to read: the block area at any offset,
 * the end of RAM, beyond it, the top of the address space, low core.
 */
static uint64_t pick_src(unsigned len)
{
    uint64_t a = (uintptr_t)stb_area;

    switch (below(16)) {
    case 0:
        return ram_size - (len ? len : 1);              /* ends at the last */
    case 1:
        return ram_size - 1 - below(len + 1);           /* crosses the end */
    case 2:
        return ram_size + below(PAGE);                  /* beyond RAM */
    case 3:
        return -(uint64_t)(1 + below(len + 16));        /* near 2^64 */
    case 4:
        return below(0x2000);                           /* low core */
    case 5:
    case 6:
    case 7:
        return a + below(2 * PAGE);                     /* any alignment */
    case 8:
        return a + PAGE - below(len + 8);               /* across a page */
    default:
        return a + 8 * below(2 * PAGE / 8);             /* doubleword */
    }
}

/*
 * A guest address the machine may write n bytes to (CLP, STPCIFC, the
 * indicators, the measurement block): one of the scratch areas, the last
 * 64 KiB of RAM, or beyond RAM.
 */
static uint64_t pick_dst(uint8_t *area, uint64_t area_size, uint64_t n,
                         unsigned align)
{
    uint64_t a;

    switch (below(12)) {
    case 0:
        a = ram_size - n;                               /* ends at the last */
        break;
    case 1:
        a = ram_size - n + 1 + below(n);                /* crosses the end */
        break;
    case 2:
        a = ram_size + below(1ull << 20);               /* beyond RAM */
        break;
    case 3:
        a = -(uint64_t)(1 + below(n + 16));             /* near 2^64 */
        break;
    case 4:
        a = ram_size - 0x10000 + below(0x10000 - n);    /* top 64 KiB */
        break;
    default:
        a = (uintptr_t)area + below(area_size - n);
        break;
    }
    if (align && chance(90)) {
        a &= ~(uint64_t)(align - 1);
        /* aligning down may leave the scratch area */
        if (a < (uintptr_t)area && a >= (uintptr_t)area - align) {
            a += align;
        }
    }
    return a;
}

/* Does [a, a + n) lie inside area (no wrapping)? */
static bool in_area(uint64_t a, uint64_t n, const uint8_t *area,
                    uint64_t size)
{
    uint64_t base = (uintptr_t)area;

    return a >= base && n <= size && a - base <= size - n;
}

static void fill_random(uint8_t *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        if (!(i & 7)) {
            v = rnd();
        }
        p[i] = v;
        v >>= 8;
    }
}

/* ---- the fuzzed instructions -------------------------------------------- */

static uint64_t ls_req(uint32_t fh, uint8_t as, unsigned len)
{
    return (uint64_t)fh << 32 | (uint64_t)(as & 0xf) << 16 | len;
}

/* Rules of the design brief for PCI Load and PCI Store */
static void check_ls(const char *insn, struct fuzz_fn *f, uint32_t fh,
                     uint8_t as, unsigned len, uint64_t off, int cc)
{
    const char *what = NULL;

    if (cc != 0) {
        return;
    }
    /* (a flipped bit may name another of our functions: that is fine) */
    if (!fn_by_enabled_fh(fh)) {
        /* a function the host hot-plugged: only the handle is known */
        what = enabled_elsewhere(fh) ? NULL :
               "cc 0 without an enabled function";
    } else if (as == 15) {
        if (!len || len == 3 || len > 4 || (off & 3) + len > 4) {
            what = "cc 0 for a bad config-space access";
        }
    } else if (as > 5) {
        what = "cc 0 for an invalid address space";
    } else if (!len || len > 8 || (off & 7) + len > 8) {
        what = "cc 0 for a bad length or a doubleword crossing";
    }
    if (what) {
        printf("# fuzz %s: %s\n", insn, what);
        violation(insn, fh, as, len, off);
    }
}

static void fuzz_pcilg(void)
{
    struct fuzz_fn *f;
    uint32_t fh = pick_fh(&f);
    uint8_t as = pick_as(f);
    unsigned len = chance(70) || pow2_ls ? (1u << below(4)) : below(16);
    uint64_t off = pick_offset(f, as, len ? len : 1);
    uint64_t req = ls_req(fh, as, len), data = rnd();
    uint16_t pgm;
    int cc;

    if (chance(1)) {
        if (tracing()) {
            printf("# op %lu pcilg-odd req=0x%lx\n", executed, req);
        }
        arm();
        cc = x_pcilg_odd(req);
        pgm = disarm();
        if (!pgm) {
            violation("pcilg odd r2 without exception", req, cc, 0, 0);
        }
        account(K_PCILG, cc, pgm);
        return;
    }
    if (tracing()) {
        printf("# op %lu pcilg fh=0x%x as=%u len=%u off=0x%lx\n", executed,
               fh, as, len, off);
    }
    arm();
    cc = x_pcilg(&req, off, &data);
    pgm = disarm();
    if (!pgm) {
        check_ls("pcilg", f, fh, as, len, off, cc);
    }
    account(K_PCILG, cc, pgm);
}

static void fuzz_pcistg(void)
{
    struct fuzz_fn *f;
    uint32_t fh = pick_fh(&f);
    uint8_t as = pick_as(f);
    unsigned len = chance(70) || pow2_ls ? (1u << below(4)) : below(16);
    uint64_t off = pick_offset(f, as, len ? len : 1);
    uint64_t req = ls_req(fh, as, len), data = rnd();
    uint16_t pgm;
    int cc;

    /* msix-nic doorbell and the MSI-X entries get sensible values often */
    if (f && as == 0 && chance(10)) {
        off = 0x800;
        len = 4;
        req = ls_req(fh, as, len);
        data = (uint64_t)below(10) << 24;   /* LE u32 vector, big-endian */
    }
    if (chance(1)) {
        if (tracing()) {
            printf("# op %lu pcistg-odd req=0x%lx\n", executed, req);
        }
        arm();
        cc = x_pcistg_odd(req, data);
        pgm = disarm();
        if (!pgm) {
            violation("pcistg odd r2 without exception", req, cc, 0, 0);
        }
        account(K_PCISTG, cc, pgm);
        return;
    }
    if (tracing()) {
        printf("# op %lu pcistg fh=0x%x as=%u len=%u off=0x%lx data=0x%lx\n",
               executed, fh, as, len, off, data);
    }
    arm();
    cc = x_pcistg(&req, off, data);
    pgm = disarm();
    if (!pgm) {
        check_ls("pcistg", f, fh, as, len, off, cc);
    }
    account(K_PCISTG, cc, pgm);
}

static void fuzz_pcistb(void)
{
    struct fuzz_fn *f;
    uint32_t fh = pick_fh(&f);
    uint8_t as = chance(95) ? pick_as(f) : below(16);
    unsigned len = pick_stb_len(f);
    uint64_t off = pick_offset(f, as, len ? len : 1);
    uint64_t src = pick_src(len);
    uint64_t req;
    struct fuzz_fn *g;
    uint16_t pgm;
    int cc;

    /*
     * A third of the blocks follow the function's rules (a BAR it has,
     * within it, no 4 KiB crossing, strict alignment unless relaxed), so
     * that the host paths and the MSI-X split get exercised as much as
     * the refusals.
     */
    if (f && chance(33)) {
        unsigned bars[6], n = 0;

        for (unsigned i = 0; i < 6; i++) {
            if (f->bar_size[i]) {
                bars[n++] = i;
            }
        }
        if (n) {
            uint64_t size, room;

            as = bars[below(n)];
            size = f->bar_size[as] < PAGE * 4 ? f->bar_size[as] : PAGE * 4;
            if (f->relaxed) {
                len = 1 + below(f->maxstbl);
                off = below(size);
                src = (uintptr_t)stb_area + below(2 * PAGE);
            } else {
                len = 16 + 8 * below(f->maxstbl > 16 ?
                                     (f->maxstbl - 16) / 8 + 1 : 1);
                off = below(size) & ~7ull;
                src = (uintptr_t)stb_area + 8 * below(2 * PAGE / 8);
            }
            if (chance(30) && f->msix.entries && as == f->msix.table_bar) {
                off = (f->msix.table_off + 16 * below(f->msix.entries)) -
                      8 * below(4);
            }
            if (len > PAGE) {
                len = PAGE;
            }
            room = PAGE - (off & (PAGE - 1));
            if (len > room) {
                off -= len - room;
            }
            if (!f->relaxed && !f->ism) {
                off &= ~7ull;
            }
        }
    }
    if (no_msix_stb && f && f->msix.entries &&
        (as == f->msix.table_bar || as == f->msix.pba_bar)) {
        as = 0;
    }
    req = ls_req(fh, as, len);

    /* a few fresh bytes in the source area each time */
    for (int i = 0; i < 4; i++) {
        stb_area[below(sizeof(stb_area))] = rnd();
    }
    if (tracing()) {
        printf("# op %lu pcistb fh=0x%x as=%u len=%u off=0x%lx src=0x%lx\n",
               executed, fh, as, len, off, src);
    }
    arm();
    cc = x_pcistb(&req, off, src);
    pgm = disarm();
    account(K_PCISTB, cc, pgm);
    if (pgm || cc != 0) {
        return;
    }
    g = fn_by_enabled_fh(fh);
    if (!g) {
        if (!enabled_elsewhere(fh)) {
            violation("pcistb cc 0 without an enabled function", fh, as, len,
                      off);
        }
    } else if (as > 5) {
        violation("pcistb cc 0 for a bad address space", fh, as, len, off);
    } else if (!len || len > g->maxstbl) {
        violation("pcistb cc 0 for a length beyond maxstbl", fh, len,
                  g->maxstbl, off);
    } else if ((off & (PAGE - 1)) + len > PAGE) {
        violation("pcistb cc 0 across 4 KiB", fh, len, off, src);
    } else if (!g->relaxed &&
               ((off & 7) || len <= 8 || (len & 7) || (src & 7))) {
        violation("pcistb cc 0 breaking the strict rules", fh, len, off, src);
    } else if (g->relaxed && !g->ism && (src & 7)) {
        violation("pcistb cc 0 with an unaligned second operand", fh, len,
                  off, src);
    }
}

static void fuzz_rpcit(void)
{
    struct fuzz_fn *f;
    uint32_t fh = pick_fh(&f);
    uint64_t req = (uint64_t)fh << 32 | (chance(5) ? rnd() & 0xffffffff : 0);
    uint64_t start, len;
    uint16_t pgm;
    int cc;

    if (chance(1)) {
        arm();
        cc = x_rpcit_odd(req);
        pgm = disarm();
        if (!pgm) {
            violation("rpcit odd r2 without exception", req, cc, 0, 0);
        }
        account(K_RPCIT, cc, pgm);
        return;
    }
    switch (below(8)) {
    case 0:
        start = rnd();
        len = rnd();
        break;
    case 1:
        start = -(uint64_t)(PAGE * (1 + below(4)));
        len = PAGE * below(8);
        break;
    case 2:
        start = dma.pba;
        len = (dma.pal - dma.pba + 1) * below(3);
        break;
    case 3:
        start = dma.pba + below(dma.pal - dma.pba) - below(2 * PAGE);
        len = PAGE * below(64);
        break;
    default:
        start = dma_iova + PAGE * below(16);
        len = PAGE * (1 + below(16 - (start - dma_iova) / PAGE));
        if (chance(10)) {
            len = below(PAGE * 4);
        }
        break;
    }
    if (tracing()) {
        printf("# op %lu rpcit fh=0x%x start=0x%lx len=0x%lx\n", executed,
               fh, start, len);
    }
    arm();
    cc = x_rpcit(&req, start, len);
    pgm = disarm();
    account(K_RPCIT, cc, pgm);
}

static void fuzz_mpcifc(void)
{
    struct fuzz_fn *f;
    uint32_t fh = pick_fh(&f);
    static const uint8_t ocs[] = { 2, 3, 4, 5, 6, 7, 8, 9, 2, 4, 7, 9 };
    uint8_t oc = chance(90) ? ocs[below(sizeof(ocs))] : below(256);
    uint8_t dmaas = chance(90) ? 0 : below(256);
    uint64_t req = (uint64_t)fh << 32 | (uint64_t)dmaas << 16 | oc;
    uint64_t fiba = pick_dst(fib_area, sizeof(fib_area), 128, 8);
    struct zpci_fib *fib;
    uint16_t pgm;
    int cc;

    if (in_area(fiba, sizeof(*fib), fib_area, sizeof(fib_area))) {
        fib = (struct zpci_fib *)(uintptr_t)fiba;
        memset(fib, 0, sizeof(*fib));
        fib->fmt = chance(95) ? 0 : rnd();
        fib->pba = f ? f->sdma + (chance(70) ? 0 : rnd() % (1ull << 32)) :
                   rnd();
        fib->pal = chance(70) ? dma.pal : (chance(50) ? rnd() :
                                            fib->pba - 1);
        switch (below(6)) {
        case 0:
            fib->iota = rnd();
            break;
        case 1:
            fib->iota = ((uintptr_t)zero_area + PAGE * below(2)) |
                        ZPCI_IOTA_RTTO_FLAG;
            break;
        case 2:
            fib->iota = (ram_size + PAGE * below(64)) | ZPCI_IOTA_RTTO_FLAG;
            break;
        case 3:
            fib->iota = zpci_dma_iota(&dma) & ~0x800ull;  /* no translation */
            break;
        default:
            fib->iota = zpci_dma_iota(&dma);
            break;
        }
        fib->data = FIB_DATA(below(8), chance(80) ? below(64) : below(4096),
                             below(64), below(2), below(64));
        fib->aibv = pick_dst(ind_area, sizeof(ind_area), 1024, 8);
        fib->aisb = pick_dst(ind_area, sizeof(ind_area), 16, 8);
        switch (below(5)) {
        case 0:
            fib->fmb_addr = 0;
            break;
        case 1:
            fib->fmb_addr = pick_dst(ind_area, sizeof(ind_area), 128, 1);
            break;
        default:
            fib->fmb_addr = pick_dst(ind_area, sizeof(ind_area), 128, 16);
            break;
        }
        fib->gd = rnd();
    }
    if (tracing()) {
        printf("# op %lu mpcifc fh=0x%x oc=%u dmaas=%u fib=0x%lx\n",
               executed, fh, oc, dmaas, fiba);
    }
    arm();
    cc = x_mpcifc(&req, fiba);
    pgm = disarm();
    account(K_MPCIFC, cc, pgm);
}

static void fuzz_stpcifc(void)
{
    struct fuzz_fn *f;
    uint32_t fh = pick_fh(&f);
    uint8_t dmaas = chance(90) ? 0 : below(256);
    uint64_t req = (uint64_t)fh << 32 | (uint64_t)dmaas << 16;
    uint64_t fiba = pick_dst(fib_area, sizeof(fib_area), 128, 8);
    uint16_t pgm;
    int cc;

    if (tracing()) {
        printf("# op %lu stpcifc fh=0x%x dmaas=%u fib=0x%lx\n", executed, fh,
               dmaas, fiba);
    }
    arm();
    cc = x_stpcifc(&req, fiba);
    pgm = disarm();
    account(K_STPCIFC, cc, pgm);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, v >> 32);
    put32(p + 4, v);
}

static void fuzz_clp(void)
{
    static const uint16_t req_lens[] = { 32, 32, 32, 32, 16, 24, 40, 8, 0,
                                         8184, 8192, 33 };
    static const uint16_t rsp_lens[] = { 4064, 4064, 4064, 8160, 8, 16,
                                         0, 4, 8176, 8168, 100, 4096 };
    uint64_t blk = pick_dst(clp_area, sizeof(clp_area), 8192, 8);
    uint16_t rql = chance(80) ? req_lens[below(ARRAY_SIZE(req_lens))] :
                   below(0x10000);
    uint16_t rsl = chance(80) ? rsp_lens[below(ARRAY_SIZE(rsp_lens))] :
                   below(0x10000);
    struct fuzz_fn *f;
    uint32_t fh = pick_fh(&f);
    uint8_t *p;
    uint16_t pgm;
    int cc;

    if (chance(30)) {
        /*
         * A well-formed LIST (from a small resume token), QUERY or SET
         * (enable or disable) on the handle of any index in any state:
         * what a guest that guesses handles does.
         */
        static const uint16_t cmds[] = { 2, 3, 5, 5 };
        uint16_t cmd = cmds[below(ARRAY_SIZE(cmds))];

        blk = (uintptr_t)clp_area;
        rql = 32;
        rsl = 4064;
        fh = index_fh();
        p = clp_area;
        memset(p, 0, 64);
        put16(p, rql);
        put16(p + 2, cmd);
        if (cmd == 2) {
            put64(p + 16, below(nfns + nghosts + 2));
        } else {
            put32(p + 16, fh);
            p[22] = below(2);
            p[23] = 1;
        }
        put16(p + rql, rsl);
    } else if (in_area(blk, 8192, clp_area, sizeof(clp_area))) {
        uint16_t cmd = chance(90) ? 1 + below(6) : rnd();
        uint8_t oc = chance(80) ? below(2) : rnd();

        p = (uint8_t *)(uintptr_t)blk;
        fill_random(p, 64);
        put16(p, rql);
        put16(p + 2, cmd);
        put32(p + 4, chance(90) ? 0 : rnd());
        if (cmd == 2) {                         /* LIST: resume token */
            put64(p + 16, chance(80) ? 0 : (chance(50) ? below(8) : rnd()));
        } else if (cmd == 4) {                  /* QUERY GROUP */
            p[16] = p[17] = p[18] = 0;
            p[19] = chance(80) ? fns[below(nfns)].pfgid : rnd();
        } else {                                /* QUERY, SET */
            put32(p + 16, fh);
            p[22] = oc;
            p[23] = chance(80) ? 1 : below(4);
        }
        if (rql < 8192 - 2) {
            put16(p + rql, rsl);
        }
    }
    if (tracing()) {
        printf("# op %lu clp blk=0x%lx rql=%u rsl=%u fh=0x%x\n", executed,
               blk, rql, rsl, fh);
    }
    arm();
    cc = x_clp(blk);
    pgm = disarm();
    account(K_CLP, cc, pgm);
    /*
     * A SET PCI FUNCTION may have enabled or disabled one of ours (also
     * through stale blocks at the end of RAM): know which handles work.
     */
    list_functions();
}

static void fuzz_sic(void)
{
    uint64_t mode = chance(70) ? below(3) : rnd();
    uint64_t isc = chance(70) ? below(8) << 27 : rnd();
    uint16_t pgm;
    int cc;

    if (tracing()) {
        printf("# op %lu sic mode=0x%lx isc=0x%lx\n", executed, mode, isc);
    }
    arm();
    cc = x_sic(mode, isc);
    pgm = disarm();
    account(K_SIC, cc, pgm);
}

/*
 * SCLP CONFIGURE or DECONFIGURE I/O ADAPTER of one of the functions, of a
 * reserved one, or of any fid: it moves functions between the
 * configured (disabled or enabled) and the standby state.
 */
static void fuzz_sclp(void)
{
    bool configure = chance(50);
    uint32_t fid;
    uint16_t pgm;
    unsigned rc;

    switch (below(4)) {
    case 0:
        fid = nghosts ? ghosts[below(nghosts)] : (uint32_t)rnd();
        break;
    case 1:
        fid = chance(50) ? (uint32_t)rnd() : 0x10 + (uint32_t)below(16);
        break;
    default:
        fid = any_fn()->fid;
        break;
    }
    if (tracing()) {
        printf("# op %lu sclp %s fid=0x%x\n", executed,
               configure ? "configure" : "deconfigure", fid);
    }
    arm();
    rc = sclp_ioa(fid, configure);
    pgm = disarm();
    account(K_SCLP, rc ? 0 : 2, pgm);
    list_functions();
}

/*
 * CHSC STORE EVENT INFORMATION, mostly well formed: it drains the PCI
 * error and availability events that the fuzzed instructions make QEMU
 * queue, as a guest's machine-check handler would.
 */
static void fuzz_chsc(void)
{
    uint64_t a = (uintptr_t)chsc_area;
    uint16_t pgm;
    int cc;

    switch (below(10)) {
    case 0:
        a += 8 * (1 + below(PAGE / 8 - 1));             /* not 4 KiB aligned */
        break;
    case 1:
        a = ram_size + PAGE * below(4);
        break;
    case 2:
        a = ram_size - PAGE;
        break;
    default:
        break;
    }
    if (a == (uintptr_t)chsc_area) {
        fill_random(chsc_area, 32);
        put16(chsc_area, chance(85) ? 0x10 : 8 * below(0x201));
        put16(chsc_area + 2, chance(85) ? 0x0e : below(0x40));
        put32(chsc_area + 4, chance(90) ? 0 : rnd());
        put64(chsc_area + 8, chance(80) ? 1ull << 61 : rnd());
    }
    if (tracing()) {
        /* the header too: QEMU 7.2 overflowed on a long SEI request */
        printf("# op %lu chsc area=0x%lx hdr=%08x %08x %016lx\n", executed,
               a, *(uint32_t *)chsc_area, *(uint32_t *)(chsc_area + 4),
               *(uint64_t *)(chsc_area + 8));
    }
    arm();
    cc = x_chsc(a);
    pgm = disarm();
    account(K_CHSC, cc, pgm);
}

/*
 * An ISM command the way the ism driver issues it (body by PCISTB at
 * offset 8, header at 0, response by PCILG), with fuzzed contents: the
 * model's command paths and DMB moves get reached, which random blocks
 * would hardly do.
 */
static void fuzz_ism_cmd(struct fuzz_fn *f)
{
    static const uint8_t cmds[] = { 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8,
                                    0x9, 0xa, 0xa, 0xa, 0xb, 0xe, 0x11,
                                    0x12 };
    uint8_t *b = stb_area + 2 * PAGE;
    uint32_t cmd = chance(95) ? cmds[below(sizeof(cmds))] : rnd();
    unsigned blen = 8 * (1 + below(7));
    uint64_t req, data = 0;
    uint16_t pgm;
    int cc;

    fill_random(b, 64);
    put64(b, dma_iova + PAGE * below(16) + (chance(80) ? 0 : below(PAGE)));
    switch (cmd) {
    case 0x2:                                           /* REG_IEQ */
        put64(b + 8, PAGE * (chance(80) ? 1 : below(3)));
        break;
    case 0xa:                                           /* REG_DMB */
        put32(b + 8, PAGE * (1 + below(2)));
        put32(b + 12, below(8));
        put32(b + 16, 0);
        put32(b + 20, 0);
        put64(b + 24, 0);
        blen = 32 + 8 * below(2);
        break;
    case 0xb:                                           /* UNREG_DMB */
        if (n_tokens) {
            put64(b, ism_tokens[below(n_tokens)]);
        }
        break;
    default:
        break;
    }
    if (tracing()) {
        printf("# op %lu ism-cmd fh=0x%x cmd=0x%x blen=%u\n", executed,
               f->efh, cmd, blen);
    }
    req = ls_req(f->efh, 2, blen);
    arm();
    cc = x_pcistb(&req, 8, (uintptr_t)b);
    pgm = disarm();
    account(K_ISMCMD, cc, pgm);
    put32(b + 64, cmd);
    put16(b + 68, 0);
    put16(b + 70, blen + 8);
    req = ls_req(f->efh, 2, 8);
    arm();
    cc = x_pcistb(&req, 0, (uintptr_t)(b + 64));
    pgm = disarm();
    account(K_ISMCMD, cc, pgm);
    req = ls_req(f->efh, 2, 8);
    arm();
    cc = x_pcilg(&req, 0, &data);
    pgm = disarm();
    account(K_ISMCMD, cc, pgm);
    if (cc || pgm || (data >> 32) != cmd || (data >> 16 & 0xffff)) {
        return;
    }
    if (cmd == 0xa) {                                   /* the new token */
        req = ls_req(f->efh, 2, 8);
        arm();
        cc = x_pcilg(&req, 8, &data);
        pgm = disarm();
        account(K_ISMCMD, cc, pgm);
        if (!cc && !pgm) {
            ism_tokens[n_tokens < 8 ? n_tokens++ : below(8)] = data;
        }
    }
}

/* ---- set-up and repair --------------------------------------------------- */

static bool list_functions(void)
{
    static struct clp_fh_entry list[64];
    uint16_t rsp;
    int n;

    if (clp_list_pci(list, ARRAY_SIZE(list), &n, &rsp) || rsp != CLP_RC_OK) {
        return false;
    }
    nother_efh = 0;
    for (int j = 0; j < n; j++) {
        bool ours = false;

        for (unsigned i = 0; i < nfns; i++) {
            ours |= list[j].fid == fns[i].fid;
        }
        if (!ours && (list[j].fh & CLP_FH_ENABLED) &&
            nother_efh < ARRAY_SIZE(other_efh)) {
            other_efh[nother_efh++] = list[j].fh;
        }
    }
    for (unsigned i = 0; i < nfns; i++) {
        fns[i].fh = 0;
        for (int j = 0; j < n; j++) {
            if (list[j].fid == fns[i].fid) {
                fns[i].fh = list[j].fh;
                fns[i].vendor = list[j].vendor_id;
                fns[i].device = list[j].device_id;
                fns[i].enabled = !!(list[j].fh & CLP_FH_ENABLED);
                fns[i].standby = !(list[j].config & CLP_CONFIG_CONFIGURED);
                if (fns[i].enabled) {
                    fns[i].efh = list[j].fh;
                }
            }
        }
    }
    return true;
}

static void reset_error(struct fuzz_fn *f)
{
    struct zpci_fib fib ALIGNED(8);
    uint8_t status;

    memset(&fib, 0, sizeof(fib));
    mpcifc(f->efh, ZPCI_MOD_FC_RESET_ERROR, 0, &fib, &status);
}

/*
 * Bring function f back to a usable state: enabled, memory and bus
 * master on, translation and interruptions registered.  Failures are
 * fine (the fuzz may have left a state that refuses some step); the
 * health check at the end is what must work.
 */
static bool repair_fn(struct fuzz_fn *f)
{
    uint16_t rsp;
    uint8_t status;
    uint32_t nfh;

    if (f->standby) {
        sclp_ioa(f->fid, true);
        list_functions();
    }
    if (!f->enabled) {
        if (clp_enable(f->fh & ~CLP_FH_ENABLED, &nfh, &rsp) ||
            rsp != CLP_RC_OK) {
            return false;
        }
        f->efh = nfh;
        f->enabled = true;
    }
    /*
     * Out of the error state (cc 1 if it was not in one), then our own
     * translation and interruption registrations in place of whatever
     * the fuzz registered, then out of the error state again in case the
     * refresh failed.
     */
    reset_error(f);
    zpci_dereg_ioat(f->efh, &status);
    zpci_reg_ioat(f->efh, dma.pba, dma.pal, zpci_dma_iota(&dma), &status);
    rpcit(f->efh, dma_iova, sizeof(dma_area), &status);
    zpci_dereg_airq(f->efh, &status);
    zpci_reg_airq(f->efh, 3, 64, ind_area + 64 * (f - fns), 0,
                  ind_area + 2048 + 8 * (f - fns), 0, &status);
    reset_error(f);
    zpci_cfg_write(f->efh, PCI_COMMAND, 2,
                   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    if (f->msix.entries) {
        for (unsigned v = 0; v < f->msix.entries && v < 8; v++) {
            zpci_msix_set_entry(f->efh, &f->msix, v, f->msia, v, false);
        }
        zpci_msix_enable(f->efh, &f->msix, true);
    } else if (f->msi_cap) {
        zpci_msi_enable(f->efh, f->msi_cap, f->msia, 0);
    }
    return true;
}

/*
 * Cheap, after most instructions: enable what a fuzzed CLP disabled and
 * take functions out of the error state, so that most instructions meet
 * a working function.  The rest of the time errors persist for a while.
 */
static void settle(void)
{
    uint32_t nfh;
    uint16_t rsp;

    for (unsigned i = 0; i < nfns; i++) {
        struct fuzz_fn *f = &fns[i];

        if (f->standby && sclp_ioa(f->fid, true)) {
            list_functions();
        }
        if (!f->enabled && f->fh &&
            !clp_enable(f->fh & ~CLP_FH_ENABLED, &nfh, &rsp) &&
            rsp == CLP_RC_OK) {
            f->efh = nfh;
            f->enabled = true;
        }
        if (saw_cc1 && f->enabled) {
            reset_error(f);
        }
    }
    saw_cc1 = false;
}

static void repair(void)
{
    if (!list_functions()) {
        return;
    }
    for (unsigned i = 0; i < nfns; i++) {
        repair_fn(&fns[i]);
    }
}

static bool setup_fn(struct fuzz_fn *f)
{
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    uint16_t rsp;

    if (!f->fh) {
        report_info("fid 0x%x is not listed", f->fid);
        return false;
    }
    if (!f->enabled) {
        uint32_t nfh;

        if (clp_enable(f->fh, &nfh, &rsp) || rsp != CLP_RC_OK) {
            report_info("fid 0x%x: enable failed rsp 0x%x", f->fid, rsp);
            return false;
        }
        f->efh = nfh;
        f->enabled = true;
    }
    if (clp_query_pci(f->efh, &q, &rsp) || rsp != CLP_RC_OK) {
        report_info("fid 0x%x: query failed rsp 0x%x", f->fid, rsp);
        return false;
    }
    f->pfgid = q.pfgid;
    f->sdma = q.sdma;
    f->edma = q.edma;
    for (int i = 0; i < 6; i++) {
        f->bar_size[i] = q.bar_size[i] ? 1ull << q.bar_size[i] : 0;
    }
    if (clp_query_pci_grp(q.pfgid, &g, &rsp) || rsp != CLP_RC_OK) {
        report_info("fid 0x%x: group query failed rsp 0x%x", f->fid, rsp);
        return false;
    }
    f->maxstbl = g.maxstbl;
    f->relaxed = !!(g.flags & CLP_QPCIG_RELAXED);
    f->msia = g.msia;
    f->ism = f->vendor == ISM_VENDOR && f->device == ISM_DEVICE;
    if (zpci_msix_probe(f->efh, &f->msix) != 0) {
        f->msix.entries = 0;
    }
    f->msi_cap = zpci_find_cap(f->efh, PCI_CAP_ID_MSI);
    report_info("fuzz fn fid=0x%x fh=0x%x %04x:%04x ism=%d maxstbl=%u "
                "relaxed=%d msix=%u@bar%u+0x%x pba@bar%u+0x%x msi=0x%x "
                "dma=0x%lx-0x%lx bars=%lx,%lx,%lx,%lx,%lx,%lx", f->fid,
                f->efh, f->vendor,
                f->device, f->ism, f->maxstbl, f->relaxed, f->msix.entries,
                f->msix.table_bar, f->msix.table_off, f->msix.pba_bar,
                f->msix.pba_off, f->msi_cap, f->sdma, f->edma,
                f->bar_size[0], f->bar_size[1],
                f->bar_size[2], f->bar_size[3], f->bar_size[4],
                f->bar_size[5]);
    return true;
}

/* Every function still answers: config space reads its own PCI ids */
static bool health(void)
{
    bool ok = true;

    repair();
    for (unsigned i = 0; i < nfns; i++) {
        struct fuzz_fn *f = &fns[i];
        uint32_t v = 0;
        int cc = -1;

        struct clp_fh_entry listed;
        bool may_go = false;

        for (unsigned k = 0; k < ngone_ok; k++) {
            may_go |= gone_ok[k] == f->fid;
        }
        if (f->enabled) {
            cc = zpci_cfg_read(f->efh, PCI_VENDOR_ID, 4, &v);
        }
        if (may_go && !clp_find(f->fid, 0, 0, &listed)) {
            report_info("fid 0x%x: unplugged by the host", f->fid);
            continue;
        }
        if (cc != 0 || (v & 0xffff) != f->vendor || v >> 16 != f->device) {
            report_info("fid 0x%x: enabled %d cc %d ids 0x%x", f->fid,
                        f->enabled, cc, v);
            ok = false;
        }
    }
    return ok;
}

int main(void)
{
    uint64_t count = param_u64("count", 10000);
    uint64_t every = param_u64("repair", 256);
    uint64_t progress = param_u64("progress", 10000);
    uint64_t seed = param_u64("seed", 1);
    uint64_t dma_size, next_progress = 0, run_until;
    uint32_t fids[MAX_FNS];
    bool ok = true;

    install_pgm_handler();
    trace_from = param_u64("trace_from", ~0ull);
    pow2_ls = param_u64("pow2_ls", 0);
    no_msix_stb = param_u64("no_msix_stb", 0);
    bound_us = param_u64("bound_us", 1000000);
    nghosts = param_list("nghost", "ghost", ghosts, MAX_FNS);
    ngone_ok = param_list("ngone", "gone", gone_ok, MAX_FNS);
    ram_size = param_u64("ram", 128ull << 20);
    nfns = param_list("nfid", "fid", fids, MAX_FNS);
    for (unsigned i = 0; i < nfns; i++) {
        fns[i].fid = fids[i];
    }
    rng_state = seed;
    report_info("fuzz seed=0x%lx count=%lu functions=%u ram=0x%lx", seed,
                count, nfns, ram_size);

    ok = nfns > 0 && list_functions();
    for (unsigned i = 0; ok && i < nfns; i++) {
        ok = setup_fn(&fns[i]);
    }
    if (ok) {
        /*
         * One aperture inside every function's DMA window (QEMU shrinks
         * the window of a function without relaxed translation to the
         * host's DMA mapping limit), at most 1 GiB.
         */
        uint64_t lo = 0, hi = ~0ull;

        for (unsigned i = 0; i < nfns; i++) {
            lo = fns[i].sdma > lo ? fns[i].sdma : lo;
            hi = fns[i].edma < hi ? fns[i].edma : hi;
        }
        dma_size = hi > lo ? hi - lo + 1 : 0;
        dma_size = dma_size > (1ull << 30) ? 1ull << 30 : dma_size;
        zpci_dma_init(&dma, lo, dma_size);
        ok = zpci_dma_map(&dma, dma_area, sizeof(dma_area), &dma_iova) == 0;
    }
    if (ok) {
        for (unsigned i = 0; i < nfns; i++) {
            repair_fn(&fns[i]);
        }
    }
    if (!report(ok, "fuzz-setup", "functions not usable")) {
        return 0;
    }
    fill_random(stb_area, sizeof(stb_area));

    /*
     * min_ms: keep going until that much time has passed as well, so that
     * events the host sends at fixed times after start-up meet the fuzz
     */
    run_until = time_us() + param_u64("min_ms", 0) * 1000;
    for (uint64_t i = 0; executed < count || time_us() < run_until; i++) {
        unsigned r = below(100);
        uint64_t before = executed, t0, us;

        if (every && i && i % every == 0) {
            repair();
        } else if (chance(85)) {
            settle();
        }
        if (progress && executed >= next_progress) {
            printf("# fuzz at=%lu\n", executed);
            next_progress = executed + progress;
        }
        t0 = time_us();
        if (r < 30) {
            fuzz_pcistb();
        } else if (r < 48) {
            fuzz_pcilg();
        } else if (r < 66) {
            fuzz_pcistg();
        } else if (r < 74) {
            fuzz_rpcit();
        } else if (r < 81) {
            fuzz_mpcifc();
        } else if (r < 84) {
            fuzz_stpcifc();
        } else if (r < 91) {
            fuzz_clp();
        } else if (r < 92) {
            fuzz_sic();
        } else if (r < 94) {
            fuzz_chsc();
        } else if (r < 95) {
            fuzz_sclp();
        } else {
            struct fuzz_fn *f = any_fn();

            if (f->ism && f->enabled) {
                fuzz_ism_cmd(f);
            } else {
                fuzz_pcistb();
            }
        }
        /* one instruction: its duration (an ISM command is several) */
        us = time_us() - t0;
        if (executed == before + 1) {
            struct stats *s = &st[last_kind];

            if (us > s->max_us) {
                s->max_us = us;
            }
            if (us > bound_us) {
                over_bound++;
                printf("# fuzz slow %s at=%lu us=%lu\n", kind_name[last_kind],
                       executed - 1, us);
            }
        }
    }

    for (int k = 0; k < K_MAX; k++) {
        struct stats *s = &st[k];

        printf("# fuzz %s n=%lu cc0=%lu cc1=%lu cc2=%lu cc3=%lu spec=%lu "
               "operand=%lu addressing=%lu other=%lu max_us=%lu\n",
               kind_name[k], s->n, s->cc[0], s->cc[1], s->cc[2], s->cc[3],
               s->spec, s->operand, s->addressing, s->other_pgm, s->max_us);
    }
    printf("# fuzz total=%lu violations=%lu\n", executed, violations);
    report(executed >= count, "fuzz-complete", "%lu of %lu", executed, count);
    report(violations == 0, "fuzz-architecture", "%lu results against the "
           "architecture", violations);
    report(over_bound == 0, "fuzz-time", "%lu instructions took longer than "
           "%lu us", over_bound, bound_us);
    report(health(), "fuzz-health", "a function no longer answers");
    return 0;
}
