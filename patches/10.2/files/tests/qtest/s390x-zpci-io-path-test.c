/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QTest for the I/O path properties of the s390x zpci device: what the
 * device reports and refuses without a host function to pass through
 *
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

#define ZPCI_PATH "/machine/peripheral/z0"

static QDict *zpci_qom_get(QTestState *qts, const char *prop)
{
    return qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                     "{ 'path': %s, 'property': %s } }", ZPCI_PATH, prop);
}

static char *zpci_get_str(QTestState *qts, const char *prop)
{
    QDict *rsp = zpci_qom_get(qts, prop);
    char *val;

    g_assert(qdict_haskey(rsp, "return"));
    val = g_strdup(qdict_get_str(rsp, "return"));
    qobject_unref(rsp);
    return val;
}

static bool zpci_get_bool(QTestState *qts, const char *prop)
{
    QDict *rsp = zpci_qom_get(qts, prop);
    bool val;

    g_assert(qdict_haskey(rsp, "return"));
    val = qdict_get_bool(rsp, "return");
    qobject_unref(rsp);
    return val;
}

/* The error description of a QMP response, which must be an error */
static char *qmp_error_desc(QDict *rsp)
{
    char *desc;

    g_assert(qdict_haskey(rsp, "error"));
    desc = g_strdup(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"));
    qobject_unref(rsp);
    return desc;
}

/* io-path is a read-only property of type S390PciIoPath */
static void test_io_path_type(void)
{
    QTestState *qts = qtest_init("-device zpci,uid=1,fid=1,target=none,"
                                 "id=z0");
    QDict *rsp;
    QList *props;
    QListEntry *e;
    const char *type = NULL;

    rsp = qtest_qmp(qts, "{ 'execute': 'qom-list', 'arguments': "
                    "{ 'path': %s } }", ZPCI_PATH);
    props = qdict_get_qlist(rsp, "return");
    QLIST_FOREACH_ENTRY(props, e) {
        QDict *p = qobject_to(QDict, qlist_entry_obj(e));

        if (g_str_equal(qdict_get_str(p, "name"), "io-path")) {
            type = qdict_get_str(p, "type");
            break;
        }
    }
    g_assert_cmpstr(type, ==, "S390PciIoPath");
    qobject_unref(rsp);

    rsp = qtest_qmp(qts, "{ 'execute': 'qom-set', 'arguments': "
                    "{ 'path': %s, 'property': 'io-path', "
                    "'value': 'bar' } }", ZPCI_PATH);
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

/* A zpci device without a PCI function has no path */
static void test_unplugged(void)
{
    QTestState *qts = qtest_init("-device zpci,uid=1,fid=1,target=none,"
                                 "id=z0");
    g_autofree char *path = zpci_get_str(qts, "io-path");
    g_autofree char *reason = zpci_get_str(qts, "io-path-reason");

    g_assert_cmpstr(path, ==, "none");
    g_assert_cmpstr(reason, ==, "");
    qtest_quit(qts);
}

/* An emulated function is emulated, whatever io-region says (auto) */
static void test_emulated(void)
{
    QTestState *qts = qtest_init("-device zpci,uid=1,fid=1,target=s0,id=z0 "
                                 "-device virtio-serial-pci,id=s0");
    g_autofree char *region = zpci_get_str(qts, "io-region");
    g_autofree char *path = zpci_get_str(qts, "io-path");

    g_assert_cmpstr(region, ==, "auto");
    g_assert_cmpstr(path, ==, "emulated");
    qtest_quit(qts);
}

/*
 * io-region=on cannot be honoured for an emulated function: the plug is
 * refused with a message that says why, the zPCI device stays without a
 * function, and a function without io-region=on can then be plugged.
 */
static void test_emulated_region_on(void)
{
    QTestState *qts = qtest_init("-device zpci,uid=1,fid=1,target=s0,id=z0,"
                                 "io-region=on");
    g_autofree char *desc = NULL;
    g_autofree char *path = NULL;
    QDict *rsp;

    desc = qmp_error_desc(qtest_qmp(qts, "{ 'execute': 'device_add', "
                                    "'arguments': { 'driver': "
                                    "'virtio-serial-pci', 'id': 's0' } }"));
    g_assert_nonnull(strstr(desc, "io-region=on"));
    g_assert_nonnull(strstr(desc, "emulated"));
    path = zpci_get_str(qts, "io-path");
    g_assert_cmpstr(path, ==, "none");

    rsp = qtest_qmp(qts, "{ 'execute': 'device_add', 'arguments': "
                    "{ 'driver': 'zpci', 'uid': 2, 'fid': 2, "
                    "'target': 's1', 'id': 'z1' } }");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{ 'execute': 'device_add', 'arguments': "
                    "{ 'driver': 'virtio-serial-pci', 'id': 's1' } }");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

/* io-region takes on, off and auto only */
static void test_region_values(void)
{
    QTestState *qts = qtest_init("");
    QDict *rsp;

    rsp = qtest_qmp(qts, "{ 'execute': 'device_add', 'arguments': "
                    "{ 'driver': 'zpci', 'target': 'x', 'id': 'z1', "
                    "'io-region': 'sometimes' } }");
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{ 'execute': 'device_add', 'arguments': "
                    "{ 'driver': 'zpci', 'target': 'x', 'id': 'z1', "
                    "'io-region': 'off' } }");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

/* host-group is on by default and off for machine types before 10.2 */
static void test_host_group_compat(void)
{
    QTestState *qts;

    qts = qtest_init("-device zpci,uid=1,fid=1,target=none,id=z0");
    g_assert_true(zpci_get_bool(qts, "host-group"));
    qtest_quit(qts);

    if (!qtest_has_machine("s390-ccw-virtio-10.1")) {
        g_test_skip("machine type s390-ccw-virtio-10.1 not available");
        return;
    }
    qts = qtest_init("-machine s390-ccw-virtio-10.1 "
                     "-device zpci,uid=1,fid=1,target=none,id=z0");
    g_assert_false(zpci_get_bool(qts, "host-group"));
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    if (!qtest_has_device("zpci")) {
        g_test_message("no zpci device: nothing to test");
        return g_test_run();
    }

    qtest_add_func("/zpci/io-path/type", test_io_path_type);
    qtest_add_func("/zpci/io-path/unplugged", test_unplugged);
    qtest_add_func("/zpci/io-region/values", test_region_values);
    qtest_add_func("/zpci/host-group/compat", test_host_group_compat);
    if (qtest_has_device("virtio-serial-pci")) {
        qtest_add_func("/zpci/io-path/emulated", test_emulated);
        qtest_add_func("/zpci/io-region/emulated-on",
                       test_emulated_region_on);
    }

    return g_test_run();
}
