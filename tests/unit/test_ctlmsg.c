/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of tools/ctl_msg.c: control protocol requests are built exactly as
 * include/xenia/ctl.h says (sizes, header, zero padding, byte offsets) and every
 * malformed reply is refused before use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/ctl_msg.h"

static struct xenia_domcfg good_cfg(void)
{
    struct xenia_domcfg c;

    memset(&c, 0, sizeof(c));
    strcpy(c.name, "vm1");
    c.memory_mib = 16;
    c.vcpus = 1;
    c.cap = 25;
    c.on_poweroff = XENIA_ACTION_DESTROY;
    c.on_reboot = XENIA_ACTION_RESTART;
    c.on_crash = XENIA_ACTION_PRESERVE;
    strcpy(c.kernel, "/k.elf");
    strcpy(c.cmdline, "console=1");
    strcpy(c.seclabel, "u:r:t:s0");
    return c;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;

    while (n--)
        if (*b++)
            return 0;
    return 1;
}

static uint32_t rd32(const void *p, size_t off)
{
    uint32_t v;

    memcpy(&v, (const char *)p + off, 4);
    return v;
}

static void test_create_layout(void **state)
{
    struct xenia_domcfg c = good_cfg();
    struct xenia_ctl_create m;
    const unsigned char *b = (const unsigned char *)&m;

    (void)state;
    memset(&m, 0xaa, sizeof(m));
    assert_int_equal(xenia_ctl_build_create(&m, 77, &c, XENIA_CREATE_F_PAUSED), 0);
    assert_int_equal(sizeof(m), 1392);
    /* header: magic "XCTL", version, op, len, seq at offsets 0, 4, 6, 8, 12 */
    assert_memory_equal(b, "XCTL", 4);
    assert_int_equal(b[4] | b[5] << 8, XENIA_CTL_VERSION);
    assert_int_equal(b[6] | b[7] << 8, XENIA_CTL_CREATE);
    assert_int_equal(rd32(b, 8), sizeof(m));
    assert_int_equal(rd32(b, 12), 77);
    /* body */
    assert_string_equal((const char *)b + 16, "vm1");
    assert_true(all_zero(b + 16 + 3, XENIA_NAME_MAX - 3));
    assert_int_equal(rd32(b, 80), 16);
    assert_int_equal(rd32(b, 84), 1);
    assert_int_equal(rd32(b, 88), 25);
    assert_int_equal(b[92], XENIA_ACTION_DESTROY);
    assert_int_equal(b[93], XENIA_ACTION_RESTART);
    assert_int_equal(b[94], XENIA_ACTION_PRESERVE);
    assert_int_equal(b[95], XENIA_CREATE_F_PAUSED);
    assert_true(all_zero(b + 96, 16));                     /* pad[4] */
    assert_string_equal((const char *)b + 112, "console=1");
    assert_true(all_zero(b + 112 + 9, XENIA_CMDLINE_MAX - 9));
    assert_int_equal(offsetof(struct xenia_ctl_create, cmdline), 112);
    /* seclabel follows cmdline, zero-filled after its NUL */
    assert_int_equal(offsetof(struct xenia_ctl_create, seclabel), 1136);
    assert_string_equal((const char *)b + 1136, "u:r:t:s0");
    assert_true(all_zero(b + 1136 + 8, XENIA_SECLABEL_MAX - 8));
    /* no label: all zero (the policy's default) */
    c.seclabel[0] = '\0';
    memset(&m, 0xaa, sizeof(m));
    assert_int_equal(xenia_ctl_build_create(&m, 77, &c, 0), 0);
    assert_true(all_zero(m.seclabel, sizeof(m.seclabel)));
    assert_int_equal(b[95], 0);
}

/* The disk bits of CREATE's flags byte (offset 95) come from the config alone. */
static void test_create_disk_flags(void **state)
{
    struct xenia_domcfg c = good_cfg();
    struct xenia_ctl_create m;
    const unsigned char *b = (const unsigned char *)&m;

    (void)state;
    assert_int_equal(XENIA_CREATE_F_DISK, 0x02);
    assert_int_equal(XENIA_CREATE_F_DISK_RO, 0x04);
    c.has_disk = 1;
    strcpy(c.disk, "/d/disk.img");
    memset(&m, 0xaa, sizeof(m));
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, 0), 0);
    assert_int_equal(b[95], XENIA_CREATE_F_DISK);
    assert_int_equal(m.hdr.len, sizeof(m));               /* the size does not change */
    assert_true(all_zero(b + 96, 16));
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, XENIA_CREATE_F_PAUSED), 0);
    assert_int_equal(b[95], XENIA_CREATE_F_PAUSED | XENIA_CREATE_F_DISK);
    c.disk_ro = 1;
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, XENIA_CREATE_F_PAUSED), 0);
    assert_int_equal(b[95], XENIA_CREATE_F_PAUSED | XENIA_CREATE_F_DISK | XENIA_CREATE_F_DISK_RO);
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, 0), 0);
    assert_int_equal(b[95], XENIA_CREATE_F_DISK | XENIA_CREATE_F_DISK_RO);
    /* no path or fd on the wire: only the bits */
    assert_null(memmem(&m, sizeof(m), "disk.img", 8));

    /* the caller cannot set the disk bits, and the config must be consistent */
    c = good_cfg();
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, XENIA_CREATE_F_DISK), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, XENIA_CREATE_F_DISK_RO), -XENIA_EINVAL);
    c.has_disk = 1;
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, XENIA_CREATE_F_DISK), -XENIA_EINVAL);
    c = good_cfg();
    c.disk_ro = 1;                                        /* ro without a disk */
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, 0), -XENIA_EINVAL);
    c = good_cfg();
    c.has_disk = 2;
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, 0), -XENIA_EINVAL);
    c = good_cfg();
    c.has_disk = 1;
    c.disk_ro = 2;
    assert_int_equal(xenia_ctl_build_create(&m, 5, &c, 0), -XENIA_EINVAL);
}

static void test_create_refuses(void **state)
{
    struct xenia_domcfg c;
    struct xenia_ctl_create m;

    (void)state;
    c = good_cfg();
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0x08), -XENIA_EINVAL);   /* unknown */
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0x80), -XENIA_EINVAL);
    c = good_cfg(); strcpy(c.name, "a b");
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); c.name[0] = '\0';
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); memset(c.name, 'a', sizeof(c.name));
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); c.memory_mib = XENIA_MEM_MIN_MIB - 1;
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); c.memory_mib = XENIA_MEM_MAX_MIB + 1;
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); c.vcpus = 2;
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); c.cap = 101;
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); c.on_crash = 3;
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); memset(c.cmdline, 'x', sizeof(c.cmdline));
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); memset(c.seclabel, 'x', sizeof(c.seclabel));     /* unterminated */
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); strcpy(c.seclabel, "u:r:t s0");
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    c = good_cfg(); strcpy(c.seclabel, "u:r:t\n");
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_create(NULL, 1, &c, 0), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_create(&m, 1, NULL, 0), -XENIA_EINVAL);
    /* limits themselves are fine */
    c = good_cfg(); c.memory_mib = XENIA_MEM_MAX_MIB; c.cap = 100;
    memset(c.cmdline, 'x', sizeof(c.cmdline) - 1);
    memset(c.seclabel, 'y', sizeof(c.seclabel) - 1);
    assert_int_equal(xenia_ctl_build_create(&m, 1, &c, 0), 0);
    assert_int_equal(strlen(m.cmdline), XENIA_CMDLINE_MAX - 1);
    assert_int_equal(strnlen(m.seclabel, sizeof(m.seclabel)), XENIA_SECLABEL_MAX - 1);
}

static void test_small_requests(void **state)
{
    struct xenia_ctl_domid d;
    struct xenia_ctl_shutdown s;
    struct xenia_ctl_lookup l;
    struct xenia_ctl_list li;
    static const uint16_t ok_ops[] = { XENIA_CTL_INFO, XENIA_CTL_PAUSE, XENIA_CTL_UNPAUSE,
                                       XENIA_CTL_DESTROY, XENIA_CTL_CONSOLE };
    static const uint16_t bad_ops[] = { 0, XENIA_CTL_CREATE, XENIA_CTL_LIST, XENIA_CTL_SHUTDOWN,
                                        XENIA_CTL_LOOKUP, XENIA_CTL_OP_MAX, 0xffff };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ok_ops) / sizeof(ok_ops[0]); i++) {
        memset(&d, 0xaa, sizeof(d));
        assert_int_equal(xenia_ctl_build_domid(&d, ok_ops[i], 9, 3), 0);
        assert_int_equal(d.hdr.magic, XENIA_CTL_MAGIC);
        assert_int_equal(d.hdr.version, XENIA_CTL_VERSION);
        assert_int_equal(d.hdr.op, ok_ops[i]);
        assert_int_equal(d.hdr.len, 24);
        assert_int_equal(d.hdr.seq, 9);
        assert_int_equal(d.domid, 3);
        assert_int_equal(d.pad, 0);
    }
    for (i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++)
        assert_int_equal(xenia_ctl_build_domid(&d, bad_ops[i], 9, 3), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_domid(&d, XENIA_CTL_INFO, 9, XENIA_DOMID_INVALID),
                     -XENIA_EINVAL);

    assert_int_equal(xenia_ctl_build_shutdown(&s, 5, 2, XENIA_SHUTDOWN_reboot), 0);
    assert_int_equal(s.hdr.op, XENIA_CTL_SHUTDOWN);
    assert_int_equal(s.hdr.len, sizeof(s));
    assert_int_equal(s.reason, XENIA_SHUTDOWN_reboot);
    assert_int_equal(xenia_ctl_build_shutdown(&s, 5, 2, XENIA_SHUTDOWN_poweroff), 0);
    assert_int_equal(xenia_ctl_build_shutdown(&s, 5, 2, XENIA_SHUTDOWN_crash), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_shutdown(&s, 5, 2, XENIA_SHUTDOWN_fault), -XENIA_EINVAL);

    memset(&l, 0xaa, sizeof(l));
    assert_int_equal(xenia_ctl_build_lookup(&l, 1, "hello"), 0);
    assert_int_equal(l.hdr.op, XENIA_CTL_LOOKUP);
    assert_int_equal(l.hdr.len, 80);
    assert_string_equal(l.name, "hello");
    assert_true(all_zero(l.name + 5, sizeof(l.name) - 5));
    assert_int_equal(xenia_ctl_build_lookup(&l, 1, "bad name"), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_lookup(&l, 1, ""), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_lookup(&l, 1, NULL), -XENIA_EINVAL);

    assert_int_equal(xenia_ctl_build_list(&li, 4, 33), 0);
    assert_int_equal(li.hdr.op, XENIA_CTL_LIST);
    assert_int_equal(li.hdr.len, 24);
    assert_int_equal(li.start_domid, 33);
    assert_int_equal(li.pad, 0);
}

static void test_reply_sizes(void **state)
{
    (void)state;
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_LIST), 216 + 8 + 32 * 656);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_INFO), 216 + 656 + 16 + 2 * 344);
    /* INFO reply layout (ctl.h, version 3) */
    assert_int_equal(offsetof(struct xenia_ctl_info_reply, info), 216);
    assert_int_equal(offsetof(struct xenia_ctl_info_reply, nr_stubdoms), 872);
    assert_int_equal(offsetof(struct xenia_ctl_info_reply, pad), 876);
    assert_int_equal(offsetof(struct xenia_ctl_info_reply, disk_bytes), 880);
    assert_int_equal(offsetof(struct xenia_ctl_info_reply, stubdom), 888);
    assert_int_equal(offsetof(struct xenia_stubdom_info, confined), 16);
    assert_int_equal(offsetof(struct xenia_stubdom_info, generation), 20);
    assert_int_equal(offsetof(struct xenia_stubdom_info, seclabel), 24);
    assert_int_equal(offsetof(struct xenia_stubdom_info, last_exit), 280);
    assert_int_equal(XENIA_CTL_VERSION, 3);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_CREATE), 216);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_CONSOLE), 216);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_LOADPOLICY), 216);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_SETENFORCE), 216);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_SETBOOL), 216);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_GETENFORCE), 216 + 368);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_GETBOOL), 216 + 128 + 16);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_AUDIT), 216 + 16 + XENIA_AUDIT_CHUNK);
    /* the dominfo's seclabel, status context and audit fields sit where ctl.h puts them */
    assert_int_equal(offsetof(struct xenia_dominfo, seclabel), 400);
    assert_int_equal(offsetof(struct xenia_xsm_status, context), 112);
    assert_int_equal(offsetof(struct xenia_ctl_audit_reply, text), 232);
    assert_int_equal(offsetof(struct xenia_ctl_bool_reply, nbools), 216 + 128 + 8);
    assert_int_equal(xenia_ctl_reply_size(0), 0);
    assert_int_equal(xenia_ctl_reply_size(XENIA_CTL_OP_MAX), 0);
    assert_int_equal(XENIA_CTL_REPLY_MAX, sizeof(struct xenia_ctl_list_reply));
}

/* A well-formed reply header for (op, seq) of n bytes. */
static void mkreply(void *buf, size_t n, unsigned op, uint32_t seq, int32_t status)
{
    struct xenia_ctl_reply *r = buf;

    memset(buf, 0, n);
    r->hdr.magic = XENIA_CTL_MAGIC;
    r->hdr.version = XENIA_CTL_VERSION;
    r->hdr.op = (uint16_t)op;
    r->hdr.len = (uint32_t)n;
    r->hdr.seq = seq;
    r->status = status;
}

static union {
    struct xenia_ctl_list_reply l;
    struct xenia_ctl_info_reply i;
    struct xenia_ctl_reply r;
    struct xenia_ctl_getenforce_reply g;
    struct xenia_ctl_bool_reply bo;
    struct xenia_ctl_audit_reply a;
    unsigned char b[sizeof(struct xenia_ctl_list_reply) + 64];
} u;

static char why[160];

#define CHECK(n, op, seq) xenia_ctl_check_reply(&u, (n), (op), (seq), why, sizeof(why))

static void test_check_good(void **state)
{
    (void)state;
    mkreply(&u, sizeof(u.r), XENIA_CTL_CREATE, 5, 0);
    u.r.domid = 1;
    assert_int_equal(CHECK(sizeof(u.r), XENIA_CTL_CREATE, 5), 0);

    mkreply(&u, sizeof(u.r), XENIA_CTL_PAUSE, 6, 0);
    u.r.domid = XENIA_DOMID_INVALID;    /* not meaningful for PAUSE */
    assert_int_equal(CHECK(sizeof(u.r), XENIA_CTL_PAUSE, 6), 0);

    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 7, 0);
    strcpy(u.i.info.name, "vm1");
    assert_int_equal(CHECK(sizeof(u.i), XENIA_CTL_INFO, 7), 0);
    /* with a disk and both stub domain entries filled */
    u.i.disk_bytes = 1u << 20;
    u.i.nr_stubdoms = XENIA_STUBDOM_MAX;
    u.i.stubdom[0].role = XENIA_STUBDOM_DM;
    u.i.stubdom[0].pid = 1234;
    strcpy(u.i.stubdom[0].seclabel, "system_u:system_r:dm_t:s0:c1");
    strcpy(u.i.stubdom[0].last_exit, "killed by SIGSYS");
    u.i.stubdom[1].role = XENIA_STUBDOM_CONSOLE;
    assert_int_equal(CHECK(sizeof(u.i), XENIA_CTL_INFO, 7), 0);

    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 8, 0);
    u.l.nr = 3;
    u.l.more = 1;
    u.l.dom[0].domid = 1;
    u.l.dom[1].domid = 2;
    u.l.dom[2].domid = 9;
    assert_int_equal(CHECK(sizeof(u.l), XENIA_CTL_LIST, 8), 0);

    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 8, 0);   /* empty list */
    assert_int_equal(CHECK(sizeof(u.l), XENIA_CTL_LIST, 8), 0);

    /* error replies: short or full size, errmsg terminated */
    mkreply(&u, sizeof(u.r), XENIA_CTL_INFO, 9, -XENIA_ENOENT);
    strcpy(u.r.errmsg, "no domain 4");
    assert_int_equal(CHECK(sizeof(u.r), XENIA_CTL_INFO, 9), 0);
    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 9, -XENIA_EPERM);
    assert_int_equal(CHECK(sizeof(u.l), XENIA_CTL_LIST, 9), 0);
    mkreply(&u, sizeof(u.r), XENIA_CTL_CREATE, 9, -XENIA_EEXIST);
    u.r.domid = XENIA_DOMID_INVALID;
    assert_int_equal(CHECK(sizeof(u.r), XENIA_CTL_CREATE, 9), 0);
}

static void expect_proto(int rc, const char *frag)
{
    assert_int_equal(rc, -XENIA_EPROTO);
    if (!strstr(why, frag))
        fail_msg("reason \"%s\" lacks \"%s\"", why, frag);
}

static void test_check_bad_header(void **state)
{
    (void)state;
    mkreply(&u, sizeof(u.r), XENIA_CTL_PAUSE, 5, 0);
    expect_proto(CHECK(10, XENIA_CTL_PAUSE, 5), "shorter than a header");
    expect_proto(CHECK(sizeof(u.r) - 1, XENIA_CTL_PAUSE, 5), "length");
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_UNPAUSE, 5), "op");
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_PAUSE, 6), "seq");
    expect_proto(CHECK(sizeof(u.r), 0, 5), "no reply expected");
    u.r.hdr.magic ^= 1;
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_PAUSE, 5), "magic");
    mkreply(&u, sizeof(u.r), XENIA_CTL_PAUSE, 5, 0);
    u.r.hdr.version = 1;
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_PAUSE, 5), "version");
    mkreply(&u, 16, XENIA_CTL_PAUSE, 5, 0);
    expect_proto(CHECK(16, XENIA_CTL_PAUSE, 5), "too short");
    mkreply(&u, sizeof(u.r) + 4, XENIA_CTL_PAUSE, 5, 0);
    expect_proto(CHECK(sizeof(u.r) + 4, XENIA_CTL_PAUSE, 5), "expected");
    mkreply(&u, sizeof(u.r), XENIA_CTL_PAUSE, 5, 1);
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_PAUSE, 5), "positive status");
    mkreply(&u, sizeof(u.r), XENIA_CTL_PAUSE, 5, -XENIA_EPERM);
    memset(u.r.errmsg, 'x', sizeof(u.r.errmsg));
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_PAUSE, 5), "not NUL-terminated");
    assert_int_equal(xenia_ctl_check_reply(NULL, 0, XENIA_CTL_PAUSE, 5, NULL, 0), -XENIA_EPROTO);
}

static void test_check_bad_payload(void **state)
{
    (void)state;
    /* success replies must be full size */
    mkreply(&u, sizeof(u.r), XENIA_CTL_INFO, 1, 0);
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_INFO, 1), "expected");
    mkreply(&u, sizeof(u.i) + 8, XENIA_CTL_LIST, 1, -XENIA_EPERM);
    expect_proto(CHECK(sizeof(u.i) + 8, XENIA_CTL_LIST, 1), "error reply");
    /* CREATE/LOOKUP success must name a domain */
    mkreply(&u, sizeof(u.r), XENIA_CTL_LOOKUP, 1, 0);
    u.r.domid = XENIA_DOMID_INVALID;
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_LOOKUP, 1), "no domain");
    /* INFO */
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    memset(u.i.info.name, 'a', sizeof(u.i.info.name));
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "name");
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    memset(u.i.info.crash_info, 'a', sizeof(u.i.info.crash_info));
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "crash_info");
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    memset(u.i.info.seclabel, 'a', sizeof(u.i.info.seclabel));
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "seclabel");
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    u.i.info.pad = 1;
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "pad");
    /* INFO: stub domain entries */
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    u.i.pad = 1;
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "pad in info reply");
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    u.i.nr_stubdoms = XENIA_STUBDOM_MAX + 1;
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "3 stub domains");
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    u.i.nr_stubdoms = 0xffffffffu;
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "stub domains");
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    u.i.nr_stubdoms = 2;
    u.i.stubdom[1].role = 3;
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "unknown role 3");
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    u.i.nr_stubdoms = 1;
    u.i.stubdom[0].pid = -1;
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "pid -1");
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    u.i.nr_stubdoms = 1;
    memset(u.i.stubdom[0].seclabel, 'a', sizeof(u.i.stubdom[0].seclabel));
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "seclabel");
    mkreply(&u, sizeof(u.i), XENIA_CTL_INFO, 1, 0);
    u.i.nr_stubdoms = 2;
    memset(u.i.stubdom[1].last_exit, 'a', sizeof(u.i.stubdom[1].last_exit));
    expect_proto(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), "last_exit");
    /* entries past nr_stubdoms are not looked at */
    u.i.nr_stubdoms = 1;
    u.i.stubdom[1].role = 99;
    assert_int_equal(CHECK(sizeof(u.i), XENIA_CTL_INFO, 1), 0);
    /* an old (version 2) INFO reply is refused by its size */
    mkreply(&u, 216 + 656, XENIA_CTL_INFO, 1, 0);
    expect_proto(CHECK(216 + 656, XENIA_CTL_INFO, 1), "expected");
    /* LIST */
    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 1, 0);
    u.l.nr = XENIA_LIST_MAX + 1;
    expect_proto(CHECK(sizeof(u.l), XENIA_CTL_LIST, 1), "entries");
    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 1, 0);
    u.l.nr = 1;
    u.l.more = 2;
    expect_proto(CHECK(sizeof(u.l), XENIA_CTL_LIST, 1), "more");
    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 1, 0);
    u.l.more = 1;
    expect_proto(CHECK(sizeof(u.l), XENIA_CTL_LIST, 1), "no entries");
    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 1, 0);
    u.l.nr = 2;
    u.l.dom[0].domid = 5;
    u.l.dom[1].domid = 5;
    expect_proto(CHECK(sizeof(u.l), XENIA_CTL_LIST, 1), "increasing");
    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 1, 0);
    u.l.nr = 1;
    u.l.dom[0].domid = XENIA_DOMID_INVALID;
    expect_proto(CHECK(sizeof(u.l), XENIA_CTL_LIST, 1), "invalid domid");
    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 1, 0);
    u.l.nr = 2;
    u.l.dom[1].domid = 1;
    u.l.dom[1].pad = 7;
    expect_proto(CHECK(sizeof(u.l), XENIA_CTL_LIST, 1), "pad");
    /* entries past nr are not looked at */
    mkreply(&u, sizeof(u.l), XENIA_CTL_LIST, 1, 0);
    u.l.nr = 1;
    memset(&u.l.dom[1], 0xff, sizeof(u.l.dom[1]));
    assert_int_equal(CHECK(sizeof(u.l), XENIA_CTL_LIST, 1), 0);
}

static void test_xsm_requests(void **state)
{
    struct xenia_ctl_loadpolicy lp;
    struct xenia_ctl_hdr h;
    struct xenia_ctl_setenforce se;
    struct xenia_ctl_getbool gb;
    struct xenia_ctl_setbool sb;
    struct xenia_ctl_audit au;
    char longname[XENIA_BOOLNAME_MAX + 1];

    (void)state;
    memset(&lp, 0xaa, sizeof(lp));
    assert_int_equal(xenia_ctl_build_loadpolicy(&lp, 3, 4096), 0);
    assert_int_equal(lp.hdr.magic, XENIA_CTL_MAGIC);
    assert_int_equal(lp.hdr.version, XENIA_CTL_VERSION);
    assert_int_equal(lp.hdr.op, XENIA_CTL_LOADPOLICY);
    assert_int_equal(lp.hdr.len, 24);
    assert_int_equal(lp.hdr.seq, 3);
    assert_int_equal(lp.size, 4096);
    assert_int_equal(lp.pad, 0);
    assert_int_equal(xenia_ctl_build_loadpolicy(&lp, 3, XENIA_POLICY_MAX), 0);
    assert_int_equal(xenia_ctl_build_loadpolicy(&lp, 3, XENIA_POLICY_MAX + 1ull), -XENIA_E2BIG);
    assert_int_equal(xenia_ctl_build_loadpolicy(&lp, 3, 1ull << 32), -XENIA_E2BIG);
    assert_int_equal(xenia_ctl_build_loadpolicy(&lp, 3, 0), -XENIA_EINVAL);

    memset(&h, 0xaa, sizeof(h));
    assert_int_equal(xenia_ctl_build_getenforce(&h, 4), 0);
    assert_int_equal(h.op, XENIA_CTL_GETENFORCE);
    assert_int_equal(h.len, 16);
    assert_int_equal(h.seq, 4);

    memset(&se, 0xaa, sizeof(se));
    assert_int_equal(xenia_ctl_build_setenforce(&se, 5, 1), 0);
    assert_int_equal(se.hdr.op, XENIA_CTL_SETENFORCE);
    assert_int_equal(se.hdr.len, 24);
    assert_int_equal(se.enforcing, 1);
    assert_int_equal(se.pad, 0);
    assert_int_equal(xenia_ctl_build_setenforce(&se, 5, 0), 0);
    assert_int_equal(se.enforcing, 0);
    assert_int_equal(xenia_ctl_build_setenforce(&se, 5, 2), -XENIA_EINVAL);

    memset(&gb, 0xaa, sizeof(gb));
    assert_int_equal(xenia_ctl_build_getbool(&gb, 6, 17), 0);
    assert_int_equal(gb.hdr.op, XENIA_CTL_GETBOOL);
    assert_int_equal(gb.hdr.len, 24);
    assert_int_equal(gb.index, 17);
    assert_int_equal(gb.pad, 0);

    memset(&sb, 0xaa, sizeof(sb));
    assert_int_equal(xenia_ctl_build_setbool(&sb, 7, "allow_net", 1), 0);
    assert_int_equal(sb.hdr.op, XENIA_CTL_SETBOOL);
    assert_int_equal(sb.hdr.len, 152);
    assert_string_equal(sb.name, "allow_net");
    assert_true(all_zero(sb.name + 9, sizeof(sb.name) - 9));
    assert_int_equal(rd32(&sb, 16 + 128), 1);           /* value after the name */
    assert_int_equal(rd32(&sb, 16 + 132), 0);           /* pad */
    assert_int_equal(xenia_ctl_build_setbool(&sb, 7, "allow_net", 2), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_setbool(&sb, 7, "", 1), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_setbool(&sb, 7, NULL, 1), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_setbool(&sb, 7, "a b", 1), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_build_setbool(&sb, 7, "a\n", 1), -XENIA_EINVAL);
    memset(longname, 'b', sizeof(longname));
    longname[XENIA_BOOLNAME_MAX - 1] = '\0';            /* 127 characters: fits */
    assert_int_equal(xenia_ctl_build_setbool(&sb, 7, longname, 0), 0);
    longname[XENIA_BOOLNAME_MAX - 1] = 'b';
    longname[XENIA_BOOLNAME_MAX] = '\0';                /* 128: does not */
    assert_int_equal(xenia_ctl_build_setbool(&sb, 7, longname, 0), -XENIA_EINVAL);

    memset(&au, 0xaa, sizeof(au));
    assert_int_equal(xenia_ctl_build_audit(&au, 8, 0x1122334455667788ull), 0);
    assert_int_equal(au.hdr.op, XENIA_CTL_AUDIT);
    assert_int_equal(au.hdr.len, 24);
    assert_int_equal(rd32(&au, 16), 0x55667788u);       /* little-endian u64 at 16 */
    assert_int_equal(rd32(&au, 20), 0x11223344u);

    assert_true(xenia_ctl_seclabel_ok(""));
    assert_true(xenia_ctl_seclabel_ok("system_u:system_r:domU_t:s0-s0:c0.c1023,c5"));
    assert_false(xenia_ctl_seclabel_ok("a b"));
    assert_false(xenia_ctl_seclabel_ok("a/b"));
    assert_false(xenia_ctl_seclabel_ok(NULL));
}

static void test_check_xsm_replies(void **state)
{
    static const char text[] = "5 avc: denied { pause } for scontext=a:b:c\n"
                               "6 \n"
                               "9 avc: granted { x }\n";

    (void)state;
    /* GETENFORCE */
    mkreply(&u, sizeof(u.g), XENIA_CTL_GETENFORCE, 2, 0);
    u.g.st.module = XENIA_XSM_FLASK;
    u.g.st.enforcing = 1;
    strcpy(u.g.st.context, "system_u:system_r:dom0_t");
    assert_int_equal(CHECK(sizeof(u.g), XENIA_CTL_GETENFORCE, 2), 0);
    u.g.st.module = 2;
    expect_proto(CHECK(sizeof(u.g), XENIA_CTL_GETENFORCE, 2), "security module");
    u.g.st.module = XENIA_XSM_DUMMY;
    u.g.st.enforcing = 2;
    expect_proto(CHECK(sizeof(u.g), XENIA_CTL_GETENFORCE, 2), "enforcing");
    u.g.st.enforcing = 0;
    memset(u.g.st.context, 'c', sizeof(u.g.st.context));
    expect_proto(CHECK(sizeof(u.g), XENIA_CTL_GETENFORCE, 2), "context");
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_GETENFORCE, 2), "length");   /* hdr.len */
    mkreply(&u, sizeof(u.r), XENIA_CTL_GETENFORCE, 2, 0);      /* success must be long */
    expect_proto(CHECK(sizeof(u.r), XENIA_CTL_GETENFORCE, 2), "expected");
    mkreply(&u, sizeof(u.r), XENIA_CTL_GETENFORCE, 2, -XENIA_EACCES);   /* short error */
    strcpy(u.r.errmsg, "denied");
    assert_int_equal(CHECK(sizeof(u.r), XENIA_CTL_GETENFORCE, 2), 0);

    /* GETBOOL */
    mkreply(&u, sizeof(u.bo), XENIA_CTL_GETBOOL, 3, 0);
    strcpy(u.bo.name, "allow_net");
    u.bo.cur = 1;
    u.bo.nbools = 2;
    assert_int_equal(CHECK(sizeof(u.bo), XENIA_CTL_GETBOOL, 3), 0);
    u.bo.cur = 2;
    expect_proto(CHECK(sizeof(u.bo), XENIA_CTL_GETBOOL, 3), "not 0 or 1");
    u.bo.cur = 0;
    u.bo.dflt = 7;
    expect_proto(CHECK(sizeof(u.bo), XENIA_CTL_GETBOOL, 3), "not 0 or 1");
    u.bo.dflt = 0;
    u.bo.nbools = 0;
    expect_proto(CHECK(sizeof(u.bo), XENIA_CTL_GETBOOL, 3), "nbools");
    u.bo.nbools = 1;
    u.bo.pad = 1;
    expect_proto(CHECK(sizeof(u.bo), XENIA_CTL_GETBOOL, 3), "pad");
    u.bo.pad = 0;
    u.bo.name[0] = '\0';
    expect_proto(CHECK(sizeof(u.bo), XENIA_CTL_GETBOOL, 3), "empty name");
    memset(u.bo.name, 'n', sizeof(u.bo.name));
    expect_proto(CHECK(sizeof(u.bo), XENIA_CTL_GETBOOL, 3), "not NUL-terminated");

    /* AUDIT */
    mkreply(&u, sizeof(u.a), XENIA_CTL_AUDIT, 4, 0);
    assert_int_equal(CHECK(sizeof(u.a), XENIA_CTL_AUDIT, 4), 0);         /* no lines */
    memcpy(u.a.text, text, sizeof(text) - 1);
    u.a.len = sizeof(text) - 1;
    u.a.last = 9;
    u.a.more = 1;
    assert_int_equal(CHECK(sizeof(u.a), XENIA_CTL_AUDIT, 4), 0);
    u.a.last = 8;
    expect_proto(CHECK(sizeof(u.a), XENIA_CTL_AUDIT, 4), "last");
    u.a.last = 9;
    u.a.more = 2;
    expect_proto(CHECK(sizeof(u.a), XENIA_CTL_AUDIT, 4), "more");
    u.a.more = 0;
    u.a.len = XENIA_AUDIT_CHUNK + 1;
    expect_proto(CHECK(sizeof(u.a), XENIA_CTL_AUDIT, 4), "bytes of text");
    u.a.len = sizeof(text) - 2;                          /* last line cut short */
    expect_proto(CHECK(sizeof(u.a), XENIA_CTL_AUDIT, 4), "malformed audit line");
    u.a.len = sizeof(text) - 1;
    u.a.text[3] = '\0';                                  /* NUL inside a line */
    expect_proto(CHECK(sizeof(u.a), XENIA_CTL_AUDIT, 4), "offset 0");
    memcpy(u.a.text, "5 a\n5 b\n", 8);                   /* not increasing */
    u.a.len = 8;
    u.a.last = 5;
    expect_proto(CHECK(sizeof(u.a), XENIA_CTL_AUDIT, 4), "increasing");
    mkreply(&u, sizeof(u.a), XENIA_CTL_AUDIT, 4, 0);
    u.a.more = 1;                                        /* more without text: no progress */
    expect_proto(CHECK(sizeof(u.a), XENIA_CTL_AUDIT, 4), "no text");
}

static void test_audit_next(void **state)
{
    static const char t[] = "1 first\n22 \n18446744073709551615 max\n";
    const char *line;
    size_t pos = 0, ll;
    uint64_t seq;

    (void)state;
    assert_int_equal(xenia_ctl_audit_next(t, sizeof(t) - 1, &pos, &seq, &line, &ll), 1);
    assert_int_equal(seq, 1);
    assert_int_equal(ll, 5);
    assert_memory_equal(line, "first", 5);
    assert_int_equal(xenia_ctl_audit_next(t, sizeof(t) - 1, &pos, &seq, &line, &ll), 1);
    assert_int_equal(seq, 22);
    assert_int_equal(ll, 0);
    assert_int_equal(xenia_ctl_audit_next(t, sizeof(t) - 1, &pos, &seq, &line, &ll), 1);
    assert_true(seq == UINT64_MAX);
    assert_int_equal(xenia_ctl_audit_next(t, sizeof(t) - 1, &pos, &seq, &line, &ll), 0);
    assert_int_equal(pos, sizeof(t) - 1);
    /* malformed */
#define BADLINE(s) do { pos = 0; \
        assert_int_equal(xenia_ctl_audit_next(s, sizeof(s) - 1, &pos, &seq, &line, &ll), \
                         -XENIA_EPROTO); assert_int_equal(pos, 0); } while (0)
    BADLINE("x 1\n");
    BADLINE(" 1 x\n");
    BADLINE("1x\n");
    BADLINE("12");
    BADLINE("12 no newline");
    BADLINE("18446744073709551616 overflow\n");
    BADLINE("-1 x\n");
#undef BADLINE
    pos = 5;
    assert_int_equal(xenia_ctl_audit_next("1 a\n", 4, &pos, &seq, &line, &ll), -XENIA_EPROTO);
}

static void test_parse_words(void **state)
{
    (void)state;
    assert_int_equal(xenia_ctl_parse_onoff("on"), 1);
    assert_int_equal(xenia_ctl_parse_onoff("TRUE"), 1);
    assert_int_equal(xenia_ctl_parse_onoff("1"), 1);
    assert_int_equal(xenia_ctl_parse_onoff("off"), 0);
    assert_int_equal(xenia_ctl_parse_onoff("false"), 0);
    assert_int_equal(xenia_ctl_parse_onoff("0"), 0);
    assert_int_equal(xenia_ctl_parse_onoff("yes"), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_onoff("01"), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_onoff(""), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_onoff(NULL), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_enforce("Enforcing"), 1);
    assert_int_equal(xenia_ctl_parse_enforce("1"), 1);
    assert_int_equal(xenia_ctl_parse_enforce("permissive"), 0);
    assert_int_equal(xenia_ctl_parse_enforce("0"), 0);
    assert_int_equal(xenia_ctl_parse_enforce("on"), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_enforce("2"), -XENIA_EINVAL);
    assert_string_equal(xenia_ctl_op_name(XENIA_CTL_LOADPOLICY), "loadpolicy");
    assert_string_equal(xenia_ctl_op_name(XENIA_CTL_AUDIT), "audit");
}

static void test_check_random(void **state)
{
    unsigned seed = 7;
    size_t i, k;

    (void)state;
    for (i = 0; i < 20000; i++) {
        unsigned op = 1 + i % (XENIA_CTL_OP_MAX - 1);
        size_t n = xenia_ctl_reply_size(op);
        int rc;

        mkreply(&u, n, op, 3, (i & 1) ? 0 : -XENIA_EINVAL);
        for (k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            u.b[(seed >> 8) % n] = (unsigned char)(seed >> 24);
        }
        rc = CHECK(n, op, 3);
        assert_true(rc == 0 || rc == -XENIA_EPROTO);
        assert_non_null(memchr(why, '\0', sizeof(why)));
    }
}

static void test_parse_domid(void **state)
{
    uint32_t d = 0;

    (void)state;
    assert_int_equal(xenia_ctl_parse_domid("0", &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(xenia_ctl_parse_domid("42", &d), 0);
    assert_int_equal(d, 42);
    assert_int_equal(xenia_ctl_parse_domid("007", &d), 0);
    assert_int_equal(d, 7);
    assert_int_equal(xenia_ctl_parse_domid("4294967294", &d), 0);
    assert_int_equal(d, 4294967294u);
    assert_int_equal(xenia_ctl_parse_domid("4294967295", &d), -XENIA_ERANGE);
    assert_int_equal(xenia_ctl_parse_domid("99999999999999999999999", &d), -XENIA_ERANGE);
    assert_int_equal(xenia_ctl_parse_domid("", &d), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_domid(NULL, &d), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_domid("-1", &d), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_domid("+1", &d), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_domid("12a", &d), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_domid("vm1", &d), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_parse_domid(" 1", &d), -XENIA_EINVAL);
}

static void test_names(void **state)
{
    struct xenia_dominfo d;
    char buf[64];

    (void)state;
    assert_string_equal(xenia_ctl_strerror(-XENIA_ESRCH), "No such domain");
    assert_string_equal(xenia_ctl_strerror(-XENIA_ESHUTDOWN), "Domain is shut down");
    assert_string_equal(xenia_ctl_strerror(-XENIA_EINVAL), "Invalid argument");   /* strerror */
    assert_non_null(xenia_ctl_strerror(-100000));
    assert_non_null(xenia_ctl_strerror(0));
    assert_string_equal(xenia_ctl_op_name(XENIA_CTL_CREATE), "create");
    assert_string_equal(xenia_ctl_op_name(XENIA_CTL_LOOKUP), "lookup");
    assert_string_equal(xenia_ctl_op_name(0), "op?");
    assert_string_equal(xenia_ctl_op_name(1000), "op?");
    assert_string_equal(xenia_ctl_state_name(XENIA_DOMSTATE_BLOCKED), "blocked");
    assert_null(xenia_ctl_state_name(0));
    assert_string_equal(xenia_ctl_reason_name(XENIA_SHUTDOWN_fault), "fault");
    assert_null(xenia_ctl_reason_name(2));

    memset(&d, 0, sizeof(d));
    d.state = XENIA_DOMSTATE_RUNNING;
    assert_string_equal(xenia_ctl_format_state(&d, buf, sizeof(buf)), "running");
    d.state = XENIA_DOMSTATE_SHUTDOWN;
    d.shutdown_reason = XENIA_SHUTDOWN_poweroff;
    assert_string_equal(xenia_ctl_format_state(&d, buf, sizeof(buf)), "shutdown (poweroff)");
    d.state = XENIA_DOMSTATE_CRASHED;
    d.shutdown_reason = XENIA_SHUTDOWN_fault;
    assert_string_equal(xenia_ctl_format_state(&d, buf, sizeof(buf)), "crashed (fault)");
    d.shutdown_reason = 99;
    assert_string_equal(xenia_ctl_format_state(&d, buf, sizeof(buf)), "crashed (reason 99)");
    d.state = 42;
    assert_string_equal(xenia_ctl_format_state(&d, buf, sizeof(buf)), "state 42");
    assert_string_equal(xenia_ctl_format_state(&d, buf, 3), "st");

    assert_string_equal(xenia_ctl_stubdom_role_name(XENIA_STUBDOM_DM), "dm");
    assert_string_equal(xenia_ctl_stubdom_role_name(XENIA_STUBDOM_BUILDER), "builder");
    assert_string_equal(xenia_ctl_stubdom_role_name(XENIA_STUBDOM_CONSOLE), "console");
    assert_null(xenia_ctl_stubdom_role_name(3));
}

static void test_format_confined(void **state)
{
    char buf[80];

    (void)state;
    /* every bit, in the order hv applies them (hv/stubdom.h STUBDOM_C_*) */
    assert_string_equal(xenia_ctl_format_confined(0xff, buf, sizeof(buf)),
                        "namespaces,root,rlimits,cgroup,uid,nnp,landlock,seccomp");
    assert_string_equal(xenia_ctl_format_confined(0, buf, sizeof(buf)), "none");
    assert_string_equal(xenia_ctl_format_confined(0x01, buf, sizeof(buf)), "namespaces");
    assert_string_equal(xenia_ctl_format_confined(0x80, buf, sizeof(buf)), "seccomp");
    /* no cgroup (hv could not write the tree), no Landlock (old kernel) */
    assert_string_equal(xenia_ctl_format_confined(0xb7, buf, sizeof(buf)),
                        "namespaces,root,rlimits,uid,nnp,seccomp");
    assert_string_equal(xenia_ctl_format_confined(0x10 | 0x20 | 0x40, buf, sizeof(buf)),
                        "uid,nnp,landlock");
    assert_string_equal(xenia_ctl_format_confined(0x300, buf, sizeof(buf)), "0x300");
    assert_string_equal(xenia_ctl_format_confined(0xffffffffu, buf, sizeof(buf)),
                        "namespaces,root,rlimits,cgroup,uid,nnp,landlock,seccomp,0xffffff00");
    /* a small buffer cuts, still terminated */
    memset(buf, 'x', sizeof(buf));
    xenia_ctl_format_confined(0xff, buf, 12);
    assert_non_null(memchr(buf, '\0', 12));
    assert_string_equal(buf, "namespaces");
    assert_string_equal(xenia_ctl_format_confined(1, NULL, 0), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_layout),
        cmocka_unit_test(test_create_refuses),
        cmocka_unit_test(test_create_disk_flags),
        cmocka_unit_test(test_small_requests),
        cmocka_unit_test(test_reply_sizes),
        cmocka_unit_test(test_check_good),
        cmocka_unit_test(test_check_bad_header),
        cmocka_unit_test(test_check_bad_payload),
        cmocka_unit_test(test_xsm_requests),
        cmocka_unit_test(test_check_xsm_replies),
        cmocka_unit_test(test_audit_next),
        cmocka_unit_test(test_parse_words),
        cmocka_unit_test(test_check_random),
        cmocka_unit_test(test_parse_domid),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_format_confined),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
