/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: reads the GKeyFile named by ZPCI_SIM_CONFIG.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zpci-sim.h"

static const SimModel *const models[] = {
    &sim_model_ism,
    &sim_model_msix_nic,
    &sim_model_msi_dev,
};

/*
 * The host profiles: what the simulated host kernel reports and offers.
 * This table is the only place that defines them (docs/zpci-sim.rst,
 * "Host profiles", explains each column and its source).
 *
 * linux-7.3 Linux 7.3, the default: drivers/vfio/pci/vfio_pci_zdev.c
 *           zpci_base_cap() (version 3, ccdf_err_length), zpci_group_cap()
 *           as in 7.2; vfio_pci_zdev_open_device() starts mediated
 *           recovery (arch/s390/pci/pci_event.c); vfio_pci_get_irq_count()
 *           gives the ERR index count 1 for every function;
 *           vfio_pci_core_ioctl_feature() knows VFIO_DEVICE_FEATURE_ZPCI_ERROR.
 * linux     Linux 7.2 (alias linux-7.2): zpci_base_cap() version 2,
 *           zpci_group_cap() (flags = REFRESH, maxstbl =
 *           ZPCI_MAX_WRITE_SIZE); no zPCI I/O region; vfio-pci BAR access
 *           through ioread/iowrite, i.e. MIO instructions on an MIO host
 *           (arch/s390/pci/pci.c pci_iomap_range()); the ERR index only
 *           for PCI Express functions (pci_is_pcie()); no mediated
 *           recovery, no ZPCI_ERROR feature.
 * zio-2021  the 2021 kernel series (never merged) on top of linux-7.3: the
 *           RELAXED group flag for a function whose CLP group says
 *           relaxed, and the zPCI I/O region (hdr.flags 0, hdr.max = the
 *           function's maxstbl).
 * extended  Linux 7.3 with the RFC kernel series of kernel/: the
 *           zio-2021 region with the STORE operation (hdr.flags bit value
 *           1) and NO_MIO (bit value 2) for a function the platform gives
 *           no MIO addresses (kernel/0003 vfio_pci_zdev_io_init()), and
 *           ism_vfio_pci's VFIO_REGION_INFO_CAP_ZPCI_STB on every
 *           implemented BAR, max_len the function's maxstbl, with a write
 *           that ends beyond the BAR refused (kernel/0004).  kernel/check
 *           compiles tests/zpci-sim/abi-check.c against the uapi of the
 *           patched tree: the constants here are the series' own.
 */
static const SimHostProfile host_profiles[] = {
    {
        .name = "linux-7.3", .base_cap_version = 3, .report_relaxed = false,
        .group_maxstbl = SIM_LINUX_MAXSTBL, .refresh = true,
        .zio = SIM_ZIO_ABSENT, .host_mio = true, .mediated_recovery = true,
        .err_irq_all = true, .zpci_err_feature = true,
    }, {
        .name = "linux", .base_cap_version = 2, .report_relaxed = false,
        .group_maxstbl = SIM_LINUX_MAXSTBL, .refresh = true,
        .zio = SIM_ZIO_ABSENT, .host_mio = true, .mediated_recovery = false,
        .err_irq_all = false, .zpci_err_feature = false,
    }, {
        .name = "zio-2021", .base_cap_version = 3, .report_relaxed = true,
        .group_maxstbl = SIM_LINUX_MAXSTBL, .refresh = true,
        .zio = SIM_ZIO_PRESENT, .host_mio = true, .mediated_recovery = true,
        .err_irq_all = true, .zpci_err_feature = true,
    }, {
        .name = "extended", .base_cap_version = 3, .report_relaxed = true,
        .group_maxstbl = SIM_LINUX_MAXSTBL, .refresh = true,
        .zio = SIM_ZIO_STORE, .host_mio = true, .mediated_recovery = true,
        .err_irq_all = true, .zpci_err_feature = true, .ism_stb_cap = true,
    },
};

/* Other names of a profile */
static const struct {
    const char *alias;
    const char *name;
} host_aliases[] = {
    { "linux-7.2", "linux" },
};

static const char *const simulator_keys[] = {
    "output", "log", "flush", "dma-limit", "backing", "host", NULL
};

static const char *const function_keys[] = {
    "model", "group", "driver",
    /* the host: its profile and overrides of the profile's values */
    "host", "region", "base-cap-version", "refresh", "report-relaxed",
    "group-maxstbl", "host-mio", "zdev-caps", "mediated-recovery",
    "ism-stb-cap",
    /* the function */
    "pft", "gid", "fh", "fid", "pchid", "vfn", "maxstbl", "noi", "mui",
    "relaxed", "mio", "pcie", "util-str", "pfip", "fmb-length", "dasm",
    "pci-version", "start-dma", "end-dma", "msi-addr",
    "vendor-id", "device-id", "msi-vectors", "msix-vectors",
    "ism-gid",
    "fail-region-request", "error-state", "refuse-dma-map",
    "inject-pec", "inject-faddr", "inject-after-ops", "inject-count",
    "inject-at-ms", "inject-faddr-step",
    "backing",
    NULL
};

const SimHostProfile *sim_host_profile(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(host_aliases); i++) {
        if (strcmp(host_aliases[i].alias, name) == 0) {
            name = host_aliases[i].name;
        }
    }
    for (i = 0; i < G_N_ELEMENTS(host_profiles); i++) {
        if (strcmp(host_profiles[i].name, name) == 0) {
            return &host_profiles[i];
        }
    }
    return NULL;
}

/* host=NAME in grp; a bad value is a loud error and changes nothing */
static void get_host(GKeyFile *kf, const char *grp,
                     const SimHostProfile **out)
{
    gchar *s = g_key_file_get_string(kf, grp, "host", NULL);
    const SimHostProfile *h;

    if (s) {
        h = sim_host_profile(g_strstrip(s));
        if (h) {
            *out = h;
        } else {
            sim_error("config: [%s] host=%s unknown (linux-7.3, linux, "
                      "linux-7.2, zio-2021, extended)", grp, s);
        }
    }
    g_free(s);
}

/* ASCII to EBCDIC (code page 037) for the characters a utility uses */
static uint8_t ebcdic(char c)
{
    static const char *const rows[] = {
        /* 0x81.. */ "abcdefghi", /* 0x91.. */ "jklmnopqr",
        /* 0xa2.. */ "stuvwxyz",
        /* 0xc1.. */ "ABCDEFGHI", /* 0xd1.. */ "JKLMNOPQR",
        /* 0xe2.. */ "STUVWXYZ", /* 0xf0.. */ "0123456789",
    };
    static const uint8_t base[] = { 0x81, 0x91, 0xa2, 0xc1, 0xd1, 0xe2,
                                    0xf0 };
    const char *p;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(rows); i++) {
        p = strchr(rows[i], c);
        if (c && p) {
            return base[i] + (p - rows[i]);
        }
    }
    switch (c) {
    case '-':
        return 0x60;
    case '.':
        return 0x4b;
    case '_':
        return 0x6d;
    default:
        return 0x40;            /* space, and anything else */
    }
}

const SimModel *sim_model_find(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(models); i++) {
        if (strcmp(models[i]->name, name) == 0) {
            return models[i];
        }
    }
    return NULL;
}

SimFunction *sim_function_by_name(const char *name)
{
    guint i;

    for (i = 0; i < sim.functions->len; i++) {
        SimFunction *f = g_ptr_array_index(sim.functions, i);

        if (strcmp(f->name, name) == 0) {
            return f;
        }
    }
    return NULL;
}

SimGroup *sim_group_find(int id)
{
    guint i;

    for (i = 0; i < sim.groups->len; i++) {
        SimGroup *g = g_ptr_array_index(sim.groups, i);

        if (g->id == id) {
            return g;
        }
    }
    return NULL;
}

static bool key_known(const char *const *list, const char *key)
{
    for (; *list; list++) {
        if (strcmp(*list, key) == 0) {
            return true;
        }
    }
    return false;
}

static void check_keys(GKeyFile *kf, const char *grp,
                       const char *const *list)
{
    gchar **keys = g_key_file_get_keys(kf, grp, NULL, NULL);
    gchar **k;

    for (k = keys; k && *k; k++) {
        if (!key_known(list, *k)) {
            sim_error("config: unknown key '%s' in [%s]", *k, grp);
        }
    }
    g_strfreev(keys);
}

/* Integer with 0x prefix support; returns false if absent */
static bool get_u64(GKeyFile *kf, const char *grp, const char *key,
                    uint64_t *val)
{
    gchar *s = g_key_file_get_string(kf, grp, key, NULL);
    char *end;

    if (!s) {
        return false;
    }
    g_strstrip(s);
    errno = 0;
    *val = g_ascii_strtoull(s, &end, 0);
    if (errno || *end || !*s) {
        sim_error("config: [%s] %s=%s is not a number", grp, key, s);
        g_free(s);
        return false;
    }
    g_free(s);
    return true;
}

static bool get_bool(GKeyFile *kf, const char *grp, const char *key,
                     bool *val)
{
    GError *err = NULL;
    gboolean b;

    if (!g_key_file_has_key(kf, grp, key, NULL)) {
        return false;
    }
    b = g_key_file_get_boolean(kf, grp, key, &err);
    if (err) {
        sim_error("config: [%s] %s: %s", grp, key, err->message);
        g_error_free(err);
        return false;
    }
    *val = b;
    return true;
}

#define GET_NUM(kf, grp, key, field)                    \
    do {                                                \
        uint64_t v_;                                    \
        if (get_u64(kf, grp, key, &v_)) {               \
            (field) = v_;                               \
        }                                               \
    } while (0)

/*
 * KEY=N[,N...]: up to max numbers into out; returns how many (0 if the
 * key is absent or wrong, which is a loud error).
 */
static unsigned get_u64_list(GKeyFile *kf, const char *grp, const char *key,
                             uint64_t *out, unsigned max)
{
    gchar *s = g_key_file_get_string(kf, grp, key, NULL);
    gchar **parts, **p;
    unsigned n = 0;
    char *end;

    if (!s) {
        return 0;
    }
    parts = g_strsplit(s, ",", -1);
    for (p = parts; *p; p++) {
        g_strstrip(*p);
        errno = 0;
        if (n == max) {
            sim_error("config: [%s] %s: more than %u values", grp, key, max);
            n = 0;
            break;
        }
        out[n] = g_ascii_strtoull(*p, &end, 0);
        if (errno || *end || !**p) {
            sim_error("config: [%s] %s=%s is not a list of numbers", grp,
                      key, s);
            n = 0;
            break;
        }
        n++;
    }
    g_strfreev(parts);
    g_free(s);
    return n;
}

/*
 * The error injection keys (docs/zpci-sim.rst, "Mediated recovery"):
 * inject-after-ops=N[,N...] or inject-at-ms=T (one of them), each moment
 * with its inject-pec and inject-faddr (one value for all moments, or
 * one per moment), inject-count CCDFs per moment, the k-th of them with
 * the failing address inject-faddr + k * inject-faddr-step.
 */
static void get_inject(GKeyFile *kf, const char *grp, SimFunction *f)
{
    uint64_t ops[SIM_MAX_INJECT], pec[SIM_MAX_INJECT];
    uint64_t faddr[SIM_MAX_INJECT], v;
    unsigned n_ops, n_pec, n_faddr, i;
    bool at_ms = get_u64(kf, grp, "inject-at-ms", &f->inject_at_ms);

    n_ops = get_u64_list(kf, grp, "inject-after-ops", ops, SIM_MAX_INJECT);
    n_pec = get_u64_list(kf, grp, "inject-pec", pec, SIM_MAX_INJECT);
    n_faddr = get_u64_list(kf, grp, "inject-faddr", faddr, SIM_MAX_INJECT);
    f->inject_count = 1;
    if (get_u64(kf, grp, "inject-count", &v)) {
        f->inject_count = v;
    }
    get_u64(kf, grp, "inject-faddr-step", &f->inject_faddr_step);
    if (at_ms && n_ops) {
        sim_error("config: [%s] inject-after-ops and inject-at-ms exclude "
                  "each other; inject-at-ms ignored", grp);
        f->inject_at_ms = 0;
        at_ms = false;
    }
    if (at_ms && f->inject_at_ms == 0) {
        sim_error("config: [%s] inject-at-ms must be at least 1", grp);
        at_ms = false;
    }
    f->inject_n = at_ms ? 1 : n_ops;
    if (!f->inject_n) {
        if (n_pec || n_faddr || g_key_file_has_key(kf, grp, "inject-count",
                                                   NULL)) {
            sim_error("config: [%s] inject-pec, inject-faddr, inject-count "
                      "without inject-after-ops or inject-at-ms", grp);
        }
        return;
    }
    if (!n_pec) {
        sim_error("config: [%s] an injection needs inject-pec", grp);
        f->inject_n = 0;
        return;
    }
    if (n_pec > f->inject_n || n_faddr > f->inject_n) {
        sim_error("config: [%s] more inject-pec/inject-faddr values than "
                  "injection moments", grp);
    }
    if (f->inject_count < 1 || f->inject_count > 64) {
        sim_error("config: [%s] inject-count=%u out of range (1..64)", grp,
                  f->inject_count);
        f->inject_count = 1;
    }
    for (i = 0; i < f->inject_n; i++) {
        v = pec[MIN(i, n_pec - 1)];
        if (v > 0xffff) {
            sim_error("config: [%s] inject-pec=0x%llx is not a u16", grp,
                      (unsigned long long)v);
        }
        f->inject_pec[i] = v;
        f->inject_faddr[i] = n_faddr ? faddr[MIN(i, n_faddr - 1)] : 0;
        f->inject_ops[i] = at_ms ? 0 : ops[i];
        if (!at_ms && ops[i] == 0) {
            sim_error("config: [%s] inject-after-ops counts from 1", grp);
        }
    }
}

static SimGroup *group_get(int id)
{
    SimGroup *g = sim_group_find(id);

    if (!g) {
        g = g_new0(SimGroup, 1);
        g->id = id;
        g->fd = -1;
        g_ptr_array_add(sim.groups, g);
    }
    return g;
}

/* backing=none|memfd; a bad value is a loud error and changes nothing */
static void get_backing(GKeyFile *kf, const char *grp, SimBacking *out)
{
    gchar *s = g_key_file_get_string(kf, grp, "backing", NULL);

    if (s && !sim_backing_parse(g_strstrip(s), out)) {
        sim_error("config: [%s] backing=%s unknown (none, memfd)", grp, s);
    }
    g_free(s);
}

/*
 * util-str=TEXT: the utility string the CLP reports, in EBCDIC, padded
 * with EBCDIC spaces to 64 bytes; an empty value means the function has
 * none (Linux then leaves out the UTIL capability).
 */
static void get_util(GKeyFile *kf, const char *grp, SimFunction *f)
{
    gchar *s = g_key_file_get_string(kf, grp, "util-str", NULL);
    size_t i, n;

    if (!s) {
        return;
    }
    n = strlen(s);
    if (n > sizeof(f->util_str)) {
        sim_error("config: [%s] util-str longer than %zu characters", grp,
                  sizeof(f->util_str));
        n = sizeof(f->util_str);
    }
    f->has_util = n > 0;
    memset(f->util_str, f->has_util ? 0x40 : 0, sizeof(f->util_str));
    for (i = 0; i < n; i++) {
        f->util_str[i] = ebcdic(s[i]);
    }
    g_free(s);
}

static void load_function(GKeyFile *kf, const char *grp, unsigned idx)
{
    const char *name = grp + strlen("function ");
    gchar *s;
    SimFunction *f;
    const SimModel *m;
    uint64_t v;
    int i, j;

    check_keys(kf, grp, function_keys);
    while (*name == ' ') {
        name++;
    }
    s = g_key_file_get_string(kf, grp, "model", NULL);
    m = s ? sim_model_find(g_strstrip(s)) : NULL;
    if (!m) {
        sim_error("config: [%s] has no valid model (ism, msix-nic, "
                  "msi-dev): '%s'", grp, s ? s : "");
        g_free(s);
        return;
    }
    g_free(s);
    if (!get_u64(kf, grp, "group", &v)) {
        sim_error("config: [%s] needs group=N", grp);
        return;
    }

    f = g_new0(SimFunction, 1);
    f->name = g_strdup(name);
    f->model = m;
    f->group = (int)v;
    f->grp = group_get(f->group);
    f->device_fd = -1;
    f->counters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        g_free);
    f->log = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < SIM_NUM_IRQ_INDEX; i++) {
        for (j = 0; j < SIM_MAX_VECTORS; j++) {
            f->irq_fd[i][j] = -1;
        }
    }

    /* Defaults common to every model, then the model's own */
    f->fh = 0x80000000U | (idx + 1) << 8;
    f->fid = idx + 1;
    f->pchid = 0x100 + idx;
    f->vfn = 0;
    f->gid = 0x20 + idx;
    f->maxstbl = 128;
    f->noi = 128;
    f->mui = 1000;
    f->pci_version = 0;
    f->start_dma = 0x100000000ULL;
    f->end_dma = 0x1ffffffffffffffULL;
    f->msi_addr = 0xfe00000000000000ULL;
    f->dasm = 0;
    f->mio = true;
    f->relaxed = false;
    f->pcie = false;
    f->subsys_vendor_id = 0x1014;
    f->subsys_id = 0;
    /* "SIMULATED" in EBCDIC */
    f->has_util = true;
    memcpy(f->util_str, "\xe2\xc9\xd4\xe4\xd3\xc1\xe3\xc5\xc4", 9);
    f->pfip[0] = idx;
    f->irq_type = SIM_IRQ_NONE;
    m->defaults(f);

    /* The host: the profile, then the keys that override its values */
    f->host = sim.host;
    get_host(kf, grp, &f->host);
    f->zio = f->host->zio;
    f->base_cap_version = f->host->base_cap_version;
    f->report_relaxed = f->host->report_relaxed;
    f->group_maxstbl = f->host->group_maxstbl;
    f->refresh = f->host->refresh;
    f->zdev_caps = true;
    get_bool(kf, grp, "zdev-caps", &f->zdev_caps);
    f->host_mio = f->host->host_mio;
    f->mediated_recovery_cfg = f->host->mediated_recovery;
    get_bool(kf, grp, "mediated-recovery", &f->mediated_recovery_cfg);
    f->err_irq_all = f->host->err_irq_all;
    f->zpci_err_feature = f->host->zpci_err_feature;
    f->ism_stb_cap = f->host->ism_stb_cap;
    get_bool(kf, grp, "ism-stb-cap", &f->ism_stb_cap);
    f->pending_errs = g_queue_new();

    s = g_key_file_get_string(kf, grp, "driver", NULL);
    if (s && strcmp(g_strstrip(s), "ism_vfio_pci") == 0) {
        f->driver = SIM_DRV_ISM_VFIO_PCI;
    } else if (s && strcmp(s, "vfio-pci") != 0) {
        sim_error("config: [%s] driver=%s unknown (vfio-pci, ism_vfio_pci)",
                  grp, s);
    }
    g_free(s);

    s = g_key_file_get_string(kf, grp, "region", NULL);
    if (s) {
        g_strstrip(s);
        if (strcmp(s, "present") == 0) {
            f->zio = SIM_ZIO_PRESENT;
        } else if (strcmp(s, "store") == 0) {
            f->zio = SIM_ZIO_STORE;
        } else if (strcmp(s, "absent") == 0) {
            f->zio = SIM_ZIO_ABSENT;
        } else {
            sim_error("config: [%s] region=%s unknown (absent, present, "
                      "store)", grp, s);
        }
    }
    g_free(s);
    if (f->driver == SIM_DRV_ISM_VFIO_PCI && f->zio != SIM_ZIO_ABSENT) {
        /* The profile's region belongs to vfio-pci; asking is an error */
        if (g_key_file_has_key(kf, grp, "region", NULL)) {
            sim_error("config: [%s] ism_vfio_pci offers no zPCI I/O "
                      "region; region ignored", grp);
        }
        f->zio = SIM_ZIO_ABSENT;
    }
    if (f->driver != SIM_DRV_ISM_VFIO_PCI && f->ism_stb_cap &&
        g_key_file_has_key(kf, grp, "ism-stb-cap", NULL)) {
        /* The capability is ism_vfio_pci's; vfio-pci has no such thing */
        sim_error("config: [%s] ism-stb-cap needs driver=ism_vfio_pci; "
                  "ignored", grp);
    }

    f->backing = sim.backing;
    f->backing_fd = -1;
    get_backing(kf, grp, &f->backing);

    GET_NUM(kf, grp, "pft", f->pft);
    GET_NUM(kf, grp, "gid", f->gid);
    GET_NUM(kf, grp, "fh", f->fh);
    GET_NUM(kf, grp, "fid", f->fid);
    GET_NUM(kf, grp, "pchid", f->pchid);
    GET_NUM(kf, grp, "vfn", f->vfn);
    GET_NUM(kf, grp, "maxstbl", f->maxstbl);
    GET_NUM(kf, grp, "noi", f->noi);
    GET_NUM(kf, grp, "mui", f->mui);
    GET_NUM(kf, grp, "fmb-length", f->fmb_length);
    GET_NUM(kf, grp, "dasm", f->dasm);
    GET_NUM(kf, grp, "pci-version", f->pci_version);
    if (get_u64(kf, grp, "pfip", &v)) {
        sim_stl_be(f->pfip, v);         /* four path bytes, as written */
    }
    GET_NUM(kf, grp, "base-cap-version", f->base_cap_version);
    GET_NUM(kf, grp, "base-cap-size", f->base_cap_size);
    GET_NUM(kf, grp, "group-maxstbl", f->group_maxstbl);
    GET_NUM(kf, grp, "start-dma", f->start_dma);
    GET_NUM(kf, grp, "end-dma", f->end_dma);
    GET_NUM(kf, grp, "msi-addr", f->msi_addr);
    GET_NUM(kf, grp, "vendor-id", f->vendor_id);
    GET_NUM(kf, grp, "device-id", f->device_id);
    GET_NUM(kf, grp, "msi-vectors", f->msi_vectors);
    GET_NUM(kf, grp, "msix-vectors", f->msix_vectors);
    GET_NUM(kf, grp, "ism-gid", f->ism_gid);
    GET_NUM(kf, grp, "fail-region-request", f->fail_region_request);
    GET_NUM(kf, grp, "refuse-dma-map", f->refuse_dma_map);
    get_bool(kf, grp, "relaxed", &f->relaxed);
    get_bool(kf, grp, "mio", &f->mio);
    get_bool(kf, grp, "pcie", &f->pcie);
    get_bool(kf, grp, "refresh", &f->refresh);
    get_bool(kf, grp, "report-relaxed", &f->report_relaxed);
    get_bool(kf, grp, "host-mio", &f->host_mio);
    get_bool(kf, grp, "error-state", &f->error_state);
    get_util(kf, grp, f);
    get_inject(kf, grp, f);

    if (f->mediated_recovery_cfg && !f->zpci_err_feature) {
        /* Mediated recovery without a way to read the CCDFs: no kernel */
        sim_error("config: [%s] mediated-recovery=true needs a host with "
                  "VFIO_DEVICE_FEATURE_ZPCI_ERROR (linux-7.3 family)", grp);
        f->mediated_recovery_cfg = false;
    }
    if (f->base_cap_version < 1 || f->base_cap_version > 3) {
        sim_error("config: [%s] base-cap-version=%d unsupported (1..3)",
                  grp, f->base_cap_version);
        f->base_cap_version = 2;
    }
    if (f->base_cap_size &&
        (f->base_cap_size < 8 || f->base_cap_size > SIM_BASE_CAP_SIZE)) {
        /* 8: the capability header (id, version, next) */
        sim_error("config: [%s] base-cap-size=%u out of range (8..%d)",
                  grp, f->base_cap_size, SIM_BASE_CAP_SIZE);
        f->base_cap_size = 0;
    }
    if (f->maxstbl == 0 || f->maxstbl > 4096) {
        sim_error("config: [%s] maxstbl=%u out of range (1..4096)", grp,
                  f->maxstbl);
        f->maxstbl = 128;
    }
    if (f->group_maxstbl > 4096) {
        sim_error("config: [%s] group-maxstbl=%u out of range (0: the "
                  "function's maxstbl, 1..4096)", grp, f->group_maxstbl);
        f->group_maxstbl = SIM_LINUX_MAXSTBL;
    }
    if (f->msi_vectors > 32 || (f->msi_vectors & (f->msi_vectors - 1))) {
        sim_error("config: [%s] msi-vectors=%u must be 0 or a power of two "
                  "<= 32", grp, f->msi_vectors);
        f->msi_vectors = 1;
    }
    if (f->msix_vectors > SIM_MAX_VECTORS) {
        sim_error("config: [%s] msix-vectors=%u > %d", grp, f->msix_vectors,
                  SIM_MAX_VECTORS);
        f->msix_vectors = SIM_MAX_VECTORS;
    }
    if (sim_function_by_name(f->name)) {
        sim_error("config: function '%s' defined twice", f->name);
    }

    if (m->realize) {
        m->realize(f);
    }
    sim_cfg_build(f);
    g_ptr_array_add(sim.functions, f);
}

void sim_config_load(void)
{
    const char *path = getenv("ZPCI_SIM_CONFIG");
    GKeyFile *kf = g_key_file_new();
    GError *err = NULL;
    gchar **grps, **g;
    bool b;
    uint64_t v;
    unsigned idx = 0;

    sim.functions = g_ptr_array_new();
    sim.containers = g_ptr_array_new();
    sim.groups = g_ptr_array_new();
    sim.errors = g_ptr_array_new_with_free_func(g_free);
    sim.fds = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                    g_free);
    sim.dma_limit = 65535;
    sim.log_ops = false;
    sim.backing = SIM_BACKING_NONE;
    sim.host = &host_profiles[0];       /* linux-7.3 */

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
        sim_error("config: cannot load %s: %s", path, err->message);
        g_error_free(err);
        g_key_file_free(kf);
        return;
    }
    if (g_key_file_has_group(kf, "simulator")) {
        check_keys(kf, "simulator", simulator_keys);
        sim.output = g_key_file_get_string(kf, "simulator", "output", NULL);
        if (sim.output) {
            g_strstrip(sim.output);
        }
        if (get_bool(kf, "simulator", "log", &b)) {
            sim.log_ops = b;
        }
        if (get_bool(kf, "simulator", "flush", &b)) {
            sim.flush = b;
        }
        if (get_u64(kf, "simulator", "dma-limit", &v)) {
            sim.dma_limit = v;
        }
        get_backing(kf, "simulator", &sim.backing);
        get_host(kf, "simulator", &sim.host);
    }
    grps = g_key_file_get_groups(kf, NULL);
    for (g = grps; *g; g++) {
        if (strcmp(*g, "simulator") == 0) {
            continue;
        }
        if (strncmp(*g, "function ", 9) == 0) {
            load_function(kf, *g, idx++);
        } else {
            sim_error("config: unknown section [%s]", *g);
        }
    }
    g_strfreev(grps);
    g_key_file_free(kf);
}
