/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of tools/config.c: xl.cfg-style domain configs -> struct xenia_domcfg.
 * Each bad config must be refused with a message naming the file, the line and
 * the problem; good configs must give exactly the expected fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/config.h"

/*
 * Under LeakSanitizer (make san): libconfig 1.5 (Debian libconfig9 1.5-0.4) leaks
 * its string buffer when a parse fails inside a string; that leak is libconfig's,
 * not ours. LSan reads this hook; other builds never call it.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libconfig.so\nleak:libconfig_yylex\nleak:strbuf_append\n";
}

static struct xenia_domcfg cfg;
static char err[XENIA_CFG_ERR_MAX];

static int parse_ov(const char *text, const char *source, const char *const *ov, size_t n)
{
    memset(err, 0x55, sizeof(err));
    return xenia_config_parse(text, strlen(text), source, ov, n, &cfg, err, sizeof(err));
}

static int parse(const char *text)
{
    return parse_ov(text, "vm.cfg", NULL, 0);
}

/* The error must contain every given fragment. */
static void expect_err(int rc, ...)
{
    va_list ap;
    const char *frag;

    if (rc == 0)
        fail_msg("config accepted, expected an error");
    assert_int_equal(rc, -XENIA_EINVAL);
    assert_non_null(memchr(err, '\0', sizeof(err)));
    va_start(ap, rc);
    while ((frag = va_arg(ap, const char *)) != NULL) {
        if (!strstr(err, frag)) {
            va_end(ap);
            fail_msg("error \"%s\" lacks \"%s\"", err, frag);
        }
    }
    va_end(ap);
}

#define BASE "name = \"vm1\"\nkernel = \"/boot/guest.elf\"\n"

/* ---- good configs ------------------------------------------------------- */

static void test_minimal_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse(BASE), 0);
    assert_string_equal(cfg.name, "vm1");
    assert_string_equal(cfg.kernel, "/boot/guest.elf");
    assert_string_equal(cfg.kernel_origin, "vm.cfg:2");
    assert_int_equal(cfg.kernel_resolved, 0);
    assert_int_equal(cfg.memory_mib, 64);
    assert_int_equal(cfg.vcpus, 1);
    assert_int_equal(cfg.cap, 0);
    assert_string_equal(cfg.cmdline, "");
    assert_int_equal(cfg.on_poweroff, XENIA_ACTION_PRESERVE);
    assert_int_equal(cfg.on_reboot, XENIA_ACTION_PRESERVE);
    assert_int_equal(cfg.on_crash, XENIA_ACTION_PRESERVE);
    assert_int_equal(cfg.has_disk, 0);
    assert_string_equal(cfg.disk, "");
}

static void test_full(void **state)
{
    (void)state;
    assert_int_equal(parse("# a full config\n"
                           "name = \"web-1.a_b\"\n"
                           "kernel = \"/k.elf\"\n"
                           "memory = 4096\n"
                           "cmdline = \"console=hvc0 \\\"quoted\\\" x\"\n"
                           "vcpus = 1\n"
                           "cap = 50\n"
                           "on_poweroff = \"destroy\"\n"
                           "on_reboot = \"restart\"\n"
                           "on_crash = \"preserve\"\n"
                           "type = \"pv\"\n"), 0);
    assert_string_equal(cfg.name, "web-1.a_b");
    assert_int_equal(cfg.memory_mib, 4096);
    assert_string_equal(cfg.cmdline, "console=hvc0 \"quoted\" x");
    assert_int_equal(cfg.cap, 50);
    assert_int_equal(cfg.on_poweroff, XENIA_ACTION_DESTROY);
    assert_int_equal(cfg.on_reboot, XENIA_ACTION_RESTART);
    assert_int_equal(cfg.on_crash, XENIA_ACTION_PRESERVE);
}

static void test_xl_syntax_variants(void **state)
{
    (void)state;
    /* semicolons, no spaces, comments of every kind, single quotes, hex, blank lines */
    assert_int_equal(parse("name='vm1';\n"
                           "\n"
                           "kernel=\"/k.elf\"   # trailing comment\n"
                           "// C++ comment\n"
                           "/* block\n comment */ memory = 0x40\n"
                           "cmdline = 'say \"hi\" it\\'s'\n"), 0);
    assert_string_equal(cfg.name, "vm1");
    assert_int_equal(cfg.memory_mib, 64);
    assert_string_equal(cfg.cmdline, "say \"hi\" it's");
    /* CRLF line ends and a UTF-8 byte order mark */
    assert_int_equal(parse("\xef\xbb\xbfname = \"vm1\"\r\nkernel = \"/k\"\r\nmemory = 32\r\n"), 0);
    assert_int_equal(cfg.memory_mib, 32);
}

static void test_memory_limits_ok(void **state)
{
    (void)state;
    assert_int_equal(parse(BASE "memory = 4\n"), 0);
    assert_int_equal(cfg.memory_mib, 4);
    assert_int_equal(parse(BASE "memory = 32768\n"), 0);
    assert_int_equal(cfg.memory_mib, 32768);
    assert_int_equal(parse(BASE "memory = 128L\n"), 0);
    assert_int_equal(cfg.memory_mib, 128);
}

static void test_cmdline_max_ok(void **state)
{
    char *t = malloc(64 + XENIA_CMDLINE_MAX);

    (void)state;
    assert_non_null(t);
    strcpy(t, BASE "cmdline = \"");
    memset(t + strlen(t), 'a', XENIA_CMDLINE_MAX - 1);
    strcpy(t + strlen(BASE "cmdline = \"") + XENIA_CMDLINE_MAX - 1, "\"\n");
    assert_int_equal(parse(t), 0);
    assert_int_equal(strlen(cfg.cmdline), XENIA_CMDLINE_MAX - 1);
    free(t);
}

static void test_name_63_ok(void **state)
{
    char t[256];

    (void)state;
    snprintf(t, sizeof(t), "name = \"%s\"\nkernel = \"/k\"\n",
             "a23456789012345678901234567890123456789012345678901234567890123");
    assert_int_equal(parse(t), 0);
    assert_int_equal(strlen(cfg.name), 63);
}

static void test_relative_kernel(void **state)
{
    (void)state;
    assert_int_equal(parse_ov("name=\"a\"\nkernel=\"../../build/guests/hello.elf\"\n",
                              "/etc/xenia/domains/a.cfg", NULL, 0), 0);
    assert_string_equal(cfg.kernel, "/etc/xenia/domains/../../build/guests/hello.elf");
    assert_int_equal(cfg.kernel_resolved, 1);
    assert_string_equal(cfg.kernel_origin, "/etc/xenia/domains/a.cfg:2");

    assert_int_equal(parse_ov("name=\"a\"\nkernel=\"k.elf\"\n", "sub/a.cfg", NULL, 0), 0);
    assert_string_equal(cfg.kernel, "sub/k.elf");

    /* config in the current directory: path stays relative to it */
    assert_int_equal(parse_ov("name=\"a\"\nkernel=\"k.elf\"\n", "a.cfg", NULL, 0), 0);
    assert_string_equal(cfg.kernel, "k.elf");
    assert_int_equal(cfg.kernel_resolved, 0);

    /* config at the root, absolute kernel untouched */
    assert_int_equal(parse_ov("name=\"a\"\nkernel=\"k.elf\"\n", "/a.cfg", NULL, 0), 0);
    assert_string_equal(cfg.kernel, "/k.elf");
    assert_int_equal(parse_ov("name=\"a\"\nkernel=\"/x/k.elf\"\n", "/etc/a.cfg", NULL, 0), 0);
    assert_string_equal(cfg.kernel, "/x/k.elf");
}

static void test_overrides(void **state)
{
    const char *ov1[] = { "memory=128", "name=other", "cmdline=a b \"c\"" };
    const char *ov2[] = { "memory=128", "memory=256" };
    const char *ov3[] = { "kernel=k2.elf" };
    const char *ov4[] = { "name=\"q1\"", "on_crash='restart'", "cap = 7" };
    const char *ov5[] = { "memory=128" };

    (void)state;
    assert_int_equal(parse_ov(BASE "memory = 16\n", "d/vm.cfg", ov1, 3), 0);
    assert_int_equal(cfg.memory_mib, 128);
    assert_string_equal(cfg.name, "other");
    assert_string_equal(cfg.cmdline, "a b \"c\"");

    assert_int_equal(parse_ov(BASE, "vm.cfg", ov2, 2), 0);
    assert_int_equal(cfg.memory_mib, 256);          /* the last one wins */

    assert_int_equal(parse_ov(BASE, "d/vm.cfg", ov3, 1), 0);
    assert_string_equal(cfg.kernel, "d/k2.elf");    /* resolved like a line of the file */
    assert_string_equal(cfg.kernel_origin, "d/vm.cfg: override \"kernel=k2.elf\"");

    assert_int_equal(parse_ov(BASE, "vm.cfg", ov4, 3), 0);
    assert_string_equal(cfg.name, "q1");
    assert_int_equal(cfg.on_crash, XENIA_ACTION_RESTART);
    assert_int_equal(cfg.cap, 7);

    /* an override may supply a key missing from the file */
    assert_int_equal(parse_ov("name = \"vm1\"\n", "vm.cfg",
                              (const char *const[]){ "kernel=/k" }, 1), 0);
    assert_string_equal(cfg.kernel, "/k");
    assert_int_equal(parse_ov(BASE, "vm.cfg", ov5, 1), 0);
}

/* ---- disk ---------------------------------------------------------------- */

/* BASE + disk = LIST on line 3; the result must be path, ro, vdev. */
static void expect_disk(const char *list, const char *path, int ro, const char *vdev)
{
    char text[512];
    int rc;

    snprintf(text, sizeof(text), BASE "disk = %s\n", list);
    rc = parse(text);
    if (rc != 0)
        fail_msg("disk = %s refused: %s", list, err);
    assert_int_equal(cfg.has_disk, 1);
    assert_string_equal(cfg.disk, path);
    assert_int_equal(cfg.disk_ro, ro);
    assert_string_equal(cfg.disk_vdev, vdev);
    assert_string_equal(cfg.disk_origin, "vm.cfg:3");
    assert_int_equal(cfg.disk_resolved, 0);
}

static void test_disk_forms(void **state)
{
    (void)state;
    /* Xenia's short forms */
    expect_disk("[ \"/d/disk.img\" ]", "/d/disk.img", 0, "");
    expect_disk("[ \"/d/disk.img,rw\" ]", "/d/disk.img", 0, "");
    expect_disk("[ \"/d/disk.img,ro\" ]", "/d/disk.img", 1, "");
    expect_disk("[ \"/d/disk.img,r\" ]", "/d/disk.img", 1, "");
    expect_disk("[ \"/d/disk.img,w\" ]", "/d/disk.img", 0, "");
    expect_disk("[ \"/d/disk.img,ro,xvdb\" ]", "/d/disk.img", 1, "xvdb");
    /* xl named form: any order, blanks before parameters, target= last */
    expect_disk("[ \"format=raw,vdev=xvda,access=rw,target=/d/disk.img\" ]", "/d/disk.img",
                0, "xvda");
    expect_disk("[ \"format=raw, vdev=xvda, access=ro, target=/d/disk.img\" ]", "/d/disk.img",
                1, "xvda");
    expect_disk("[ \"access=r,target=/d/a,b c.img\" ]", "/d/a,b c.img", 1, "");
    expect_disk("[ \"vdev=hda, devtype=disk, /d/x.img\" ]", "/d/x.img", 0, "hda");
    /* xl positional form TARGET,FORMAT,VDEV,ACCESS (empty = default) */
    expect_disk("[ \"/d/disk.img,raw,xvda,rw\" ]", "/d/disk.img", 0, "xvda");
    expect_disk("[ \"/d/disk.img,raw,xvda,ro\" ]", "/d/disk.img", 1, "xvda");
    expect_disk("[ \"/d/disk.img,,hda\" ]", "/d/disk.img", 0, "hda");
    expect_disk("[ \"/d/disk.img,,sdb2,r\" ]", "/d/disk.img", 1, "sdb2");
    expect_disk("[ \"/d/disk.img,raw,d0p1,\" ]", "/d/disk.img", 0, "d0p1");
    /* deprecated prefixes: [PREFIX:]TARGET,VDEV,ACCESS */
    expect_disk("[ \"file:/d/disk.img,xvda,w\" ]", "/d/disk.img", 0, "xvda");
    expect_disk("[ \"file:/d/disk.img,xvda,r\" ]", "/d/disk.img", 1, "xvda");
    expect_disk("[ \"phy:/d/disk.img,xvdb,ro\" ]", "/d/disk.img", 1, "xvdb");
    expect_disk("[ \"tap:aio:/d/disk.img,xvda:disk,w\" ]", "/d/disk.img", 0, "xvda");
    expect_disk("[ \"raw:/d/disk.img,hda,w\" ]", "/d/disk.img", 0, "hda");
    /* xl syntax around it: single quotes, trailing comma, a bare string */
    expect_disk("[ '/d/disk.img,ro', ]", "/d/disk.img", 1, "");
    expect_disk("\"/d/disk.img\"", "/d/disk.img", 0, "");
    expect_disk("( \"/d/disk.img\" )", "/d/disk.img", 0, "");
    /* an empty list: no disk (as xl) */
    assert_int_equal(parse(BASE "disk = [ ]\n"), 0);
    assert_int_equal(cfg.has_disk, 0);
    /* a list over several lines: the key's line is reported */
    assert_int_equal(parse(BASE "disk = [\n  \"/d/x.img\"\n]\n"), 0);
    assert_string_equal(cfg.disk_origin, "vm.cfg:3");
    expect_err(parse(BASE "disk = [\n  \"/d/x.img,qcow2\"\n]\n"), "vm.cfg:3", "qcow2", NULL);
}

static void test_disk_relative(void **state)
{
    const char *ov1[] = { "disk=d2.img,ro" };
    const char *ov2[] = { "disk=['file:d3.img,xvda,w']" };
    const char *ov3[] = { "disk=[]" };

    (void)state;
    assert_int_equal(parse_ov(BASE "disk = [ 'd.img' ]\n", "/etc/xenia/a.cfg", NULL, 0), 0);
    assert_string_equal(cfg.disk, "/etc/xenia/d.img");
    assert_int_equal(cfg.disk_resolved, 1);
    assert_string_equal(cfg.disk_origin, "/etc/xenia/a.cfg:3");
    assert_int_equal(parse_ov(BASE "disk = [ 'format=raw,target=../img/d.img' ]\n",
                              "cfg/a.cfg", NULL, 0), 0);
    assert_string_equal(cfg.disk, "cfg/../img/d.img");
    /* absolute: untouched; config in the current directory: stays relative */
    assert_int_equal(parse_ov(BASE "disk = [ '/x/d.img' ]\n", "/etc/a.cfg", NULL, 0), 0);
    assert_string_equal(cfg.disk, "/x/d.img");
    assert_int_equal(cfg.disk_resolved, 0);
    assert_int_equal(parse_ov(BASE "disk = [ 'd.img' ]\n", "a.cfg", NULL, 0), 0);
    assert_string_equal(cfg.disk, "d.img");
    assert_int_equal(cfg.disk_resolved, 0);
    /* overrides: a bare DISKSPEC, a list, resolved like a line of the file */
    assert_int_equal(parse_ov(BASE "disk = [ 'd.img' ]\n", "dir/vm.cfg", ov1, 1), 0);
    assert_string_equal(cfg.disk, "dir/d2.img");
    assert_int_equal(cfg.disk_ro, 1);
    assert_string_equal(cfg.disk_origin, "dir/vm.cfg: override \"disk=d2.img,ro\"");
    assert_int_equal(parse_ov(BASE, "dir/vm.cfg", ov2, 1), 0);
    assert_string_equal(cfg.disk, "dir/d3.img");
    assert_string_equal(cfg.disk_vdev, "xvda");
    assert_int_equal(parse_ov(BASE "disk = [ 'd.img' ]\n", "dir/vm.cfg", ov3, 1), 0);
    assert_int_equal(cfg.has_disk, 0);
}

static void test_disk_bad(void **state)
{
    char *t;
    size_t p;

    (void)state;
    expect_err(parse(BASE "disk = [ 'a.img', 'b.img' ]\n"), "vm.cfg:3", "2 disks",
               "only one disk per domain is supported", NULL);
    expect_err(parse(BASE "disk = [ 'a', 'b', 'c', ]\n"), "3 disks", NULL);
    /* access */
    expect_err(parse(BASE "disk = [ 'a.img,raw,xvda,rx' ]\n"), "vm.cfg:3",
               "disk \"a.img,raw,xvda,rx\"", "unknown access mode \"rx\"", "ro", "rw", NULL);
    expect_err(parse(BASE "disk = [ 'access=w!,target=a.img' ]\n"), "access mode \"w!\"",
               NULL);
    expect_err(parse(BASE "disk = [ 'a.img,ro,access=rw' ]\n"), "access is given twice", NULL);
    /* formats other than raw */
    expect_err(parse(BASE "disk = [ 'a.qcow2,qcow2,xvda,rw' ]\n"), "vm.cfg:3",
               "format qcow2 is not supported", "raw image file", "qemu-img convert", NULL);
    expect_err(parse(BASE "disk = [ 'format=qcow2, target=a.img' ]\n"),
               "format qcow2 is not supported", NULL);
    expect_err(parse(BASE "disk = [ 'qcow2:a.img,xvda,w' ]\n"), "format qcow2", NULL);
    expect_err(parse(BASE "disk = [ 'a.vhd,vhd' ]\n"), "format vhd", NULL);
    expect_err(parse(BASE "disk = [ 'a.img,raw2' ]\n"), "unknown disk format \"raw2\"",
               "only format is raw", NULL);
    /* CD-ROMs, scripts, backends, flags */
    expect_err(parse(BASE "disk = [ 'a.iso,,hdc,cdrom' ]\n"), "CD-ROM", NULL);
    expect_err(parse(BASE "disk = [ 'a.iso,raw,hdc:cdrom,r' ]\n"), "CD-ROM", NULL);
    expect_err(parse(BASE "disk = [ 'devtype=cdrom,target=a.iso' ]\n"), "CD-ROM", NULL);
    expect_err(parse(BASE "disk = [ 'iscsi:iqn.x,xvda,w' ]\n"), "block scripts", NULL);
    expect_err(parse(BASE "disk = [ 'script=block-x,a.img' ]\n"), "script= is not supported",
               NULL);
    expect_err(parse(BASE "disk = [ 'backend=dom1,a.img' ]\n"), "backend= is not supported",
               "device-model stub domain", NULL);
    expect_err(parse(BASE "disk = [ 'a.img,discard' ]\n"), "flag discard is not supported",
               NULL);
    /* shape */
    expect_err(parse(BASE "disk = [ 'a.img,raw,floppy' ]\n"), "vdev \"floppy\"",
               "xvda, hda, sda", NULL);
    expect_err(parse(BASE "disk = [ 'a.img,raw,xvd1' ]\n"), "vdev \"xvd1\"", NULL);
    expect_err(parse(BASE "disk = [ 'a.img,raw,xvda,rw,more' ]\n"),
               "too many positional parameters", NULL);
    expect_err(parse(BASE "disk = [ 'a.img,vdev=xvda,vdev=xvdb' ]\n"), "vdev is given twice",
               NULL);
    expect_err(parse(BASE "disk = [ 'a.img,target=b.img' ]\n"), "target is given twice", NULL);
    expect_err(parse(BASE "disk = [ '' ]\n"), "vm.cfg:3", "no target", NULL);
    expect_err(parse(BASE "disk = [ ',raw,xvda' ]\n"), "no target", NULL);
    expect_err(parse(BASE "disk = [ 'format=raw, vdev=xvda' ]\n"), "no target", NULL);
    expect_err(parse(BASE "disk = [ 'foo:/a.img,xvda,w' ]\n"), "unknown disk prefix \"foo:\"",
               "target=PATH", NULL);
    expect_err(parse(BASE "disk = [ '/a=b.img' ]\n"), "target=PATH", NULL);
    expect_err(parse(BASE "disk = [ 'a.img,frob=1' ]\n"), "unknown disk parameter \"frob\"",
               NULL);
    /* type */
    expect_err(parse(BASE "disk = 5\n"), "vm.cfg:3", "disk must be a list holding one string",
               "disk = [ \"disk.img,rw\" ]", NULL);
    expect_err(parse(BASE "disk = [ 1 ]\n"), "disk must be a list", NULL);
    expect_err(parse(BASE "disk = ( ( 'a' ) )\n"), "disk must be a list", NULL);
    expect_err(parse(BASE "dsik = [ 'a' ]\n"), "did you mean \"disk\"", NULL);
    expect_err(parse(BASE "frobnicate = 1\n"), "known keys: ", "seclabel, disk)", NULL);
    /* a path too long once the config's directory is prepended */
    t = malloc(XENIA_CFG_PATH_MAX + 128);
    assert_non_null(t);
    strcpy(t, BASE "disk = [ '");
    p = strlen(t);
    memset(t + p, 'a', XENIA_CFG_PATH_MAX - 2);
    strcpy(t + p + XENIA_CFG_PATH_MAX - 2, "' ]\n");
    assert_int_equal(parse_ov(t, "vm.cfg", NULL, 0), 0);      /* 4094 + NUL fits */
    expect_err(parse_ov(t, "d/vm.cfg", NULL, 0), "disk path is too long", NULL);
    free(t);
}

/* xenia_config_parse_disk() alone: the pure DISKSPEC parser. */
static void test_parse_disk_direct(void **state)
{
    static const char alphabet[] = "abdefhiloprstvwxq0123:,= /.";
    struct xenia_diskspec ds;
    char why[256], buf[40], *big;
    unsigned seed = 99;
    size_t i, k;
    int rc;

    (void)state;
    assert_int_equal(xenia_config_parse_disk("  x.img ,  ro ", &ds, why, sizeof(why)), 0);
    assert_string_equal(ds.target, "x.img");
    assert_int_equal(ds.ro, 1);
    assert_int_equal(xenia_config_parse_disk("vdev=xvdaa,x", &ds, why, sizeof(why)), 0);
    assert_string_equal(ds.vdev, "xvdaa");
    assert_int_equal(xenia_config_parse_disk("x,,d12", &ds, why, sizeof(why)), 0);
    assert_int_equal(xenia_config_parse_disk("x,,d1p", &ds, why, sizeof(why)), -XENIA_EINVAL);
    assert_int_equal(xenia_config_parse_disk("x,,xvdabcdefghijklmn", &ds, why, sizeof(why)),
                     -XENIA_EINVAL);
    assert_int_equal(xenia_config_parse_disk(NULL, &ds, why, sizeof(why)), -XENIA_EINVAL);
    assert_int_equal(xenia_config_parse_disk("x", NULL, why, sizeof(why)), -XENIA_EINVAL);
    assert_int_equal(xenia_config_parse_disk("x,qed", &ds, NULL, 0), -XENIA_EINVAL);
    memset(&ds, 0x55, sizeof(ds));
    assert_int_equal(xenia_config_parse_disk("x,bad", &ds, why, sizeof(why)), -XENIA_EINVAL);
    assert_string_equal(ds.target, "");          /* zeroed on failure */
    big = malloc(XENIA_CFG_PATH_MAX + 300);
    assert_non_null(big);
    memset(big, 'a', XENIA_CFG_PATH_MAX + 299);
    big[XENIA_CFG_PATH_MAX + 299] = '\0';
    assert_int_equal(xenia_config_parse_disk(big, &ds, why, sizeof(why)), -XENIA_EINVAL);
    assert_non_null(strstr(why, "longer than"));
    big[XENIA_CFG_PATH_MAX] = '\0';
    assert_int_equal(xenia_config_parse_disk(big, &ds, why, sizeof(why)), -XENIA_EINVAL);
    assert_non_null(strstr(why, "path is too long"));
    free(big);
    /* random specs: 0 or -EINVAL, a terminated reason, a non-empty target on success */
    for (i = 0; i < 20000; i++) {
        size_t n = 1 + i % (sizeof(buf) - 1);

        for (k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            buf[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        buf[n] = '\0';
        memset(why, 0x55, sizeof(why));
        rc = xenia_config_parse_disk(buf, &ds, why, sizeof(why));
        assert_true(rc == 0 || rc == -XENIA_EINVAL);
        assert_non_null(memchr(why, '\0', sizeof(why)));
        if (rc == 0)
            assert_true(ds.target[0] != '\0');
        else
            assert_true(why[0] != '\0');
    }
}

/* ---- bad configs -------------------------------------------------------- */

static void test_unknown_key_suggestion(void **state)
{
    (void)state;
    expect_err(parse(BASE "memroy = 16\n"), "vm.cfg:3", "unknown key \"memroy\"",
               "did you mean \"memory\"", NULL);
    expect_err(parse("nmae = \"x\"\n" BASE), "vm.cfg:1", "did you mean \"name\"", NULL);
    expect_err(parse(BASE "kernal = \"x\"\n"), "vm.cfg:3", "did you mean \"kernel\"", NULL);
    expect_err(parse(BASE "vcpu = 1\n"), "vm.cfg:3", "did you mean \"vcpus\"", NULL);
    expect_err(parse(BASE "Memory = 1\n"), "did you mean \"memory\"", NULL);
    expect_err(parse(BASE "on_crahs = \"destroy\"\n"), "did you mean \"on_crash\"", NULL);
    expect_err(parse(BASE "mem = 1\n"), "did you mean \"memory\"", NULL);
    /* nothing close: no suggestion, but the list of keys */
    expect_err(parse(BASE "\n\nfrobnicate = 1\n"), "vm.cfg:5", "unknown key \"frobnicate\"",
               "known keys: name", NULL);
    assert_null(strstr(err, "did you mean"));
}

static void test_unsupported_keys(void **state)
{
    (void)state;
    expect_err(parse(BASE "init_seclabel = \"system_u:system_r:domU_t\"\n"), "vm.cfg:3",
               "init_seclabel is not supported yet", NULL);
    expect_err(parse(BASE "device_model_stubdomain_seclabel = \"u:r:dm_t\"\n"), "vm.cfg:3",
               "device_model_stubdomain_seclabel is not supported yet",
               "label comes from the policy", "\"dm\" initial SID", "remove the line", NULL);
    assert_null(strstr(err, "no device-model stub domains"));
    expect_err(parse(BASE "vif = [ \"bridge=br0\" ]\n"), "vif is not supported", NULL);
    expect_err(parse(BASE "extra = \"x\"\n"), "cmdline", NULL);
    expect_err(parse(BASE "type = \"hvm\"\n"), "vm.cfg:3", "only PV", NULL);
    expect_err(parse(BASE "type = \"foo\"\n"), "not a valid guest type", NULL);
}

/* ---- seclabel ----------------------------------------------------------- */

static void test_seclabel_ok(void **state)
{
    char text[2 * XENIA_SECLABEL_MAX + 64], label[XENIA_SECLABEL_MAX];
    const char *ov[] = { "seclabel=u:r:t:s0-s0:c0.c1023" };

    (void)state;
    /* absent: empty (the policy's default label) */
    assert_int_equal(parse(BASE), 0);
    assert_string_equal(cfg.seclabel, "");
    assert_int_equal(parse(BASE "seclabel = \"system_u:system_r:domU_t\"\n"), 0);
    assert_string_equal(cfg.seclabel, "system_u:system_r:domU_t");
    /* an MCS level with ranges and category lists */
    assert_int_equal(parse(BASE "seclabel = 'system_u:system_r:domU_t:s0:c1,c2.c5'\n"), 0);
    assert_string_equal(cfg.seclabel, "system_u:system_r:domU_t:s0:c1,c2.c5");
    /* the longest label that fits */
    memset(label, 'a', sizeof(label) - 1);
    label[sizeof(label) - 1] = '\0';
    label[1] = ':';
    label[3] = ':';
    snprintf(text, sizeof(text), BASE "seclabel = \"%s\"\n", label);
    assert_int_equal(parse(text), 0);
    assert_int_equal(strlen(cfg.seclabel), XENIA_SECLABEL_MAX - 1);
    assert_string_equal(cfg.seclabel, label);
    /* as a command-line override: beats the file */
    assert_int_equal(parse_ov(BASE "seclabel = \"a:b:c\"\n", "vm.cfg", ov, 1), 0);
    assert_string_equal(cfg.seclabel, "u:r:t:s0-s0:c0.c1023");
}

static void test_seclabel_bad(void **state)
{
    char text[2 * XENIA_SECLABEL_MAX + 64], label[XENIA_SECLABEL_MAX + 1];

    (void)state;
    memset(label, 'a', sizeof(label) - 1);
    label[sizeof(label) - 1] = '\0';
    label[1] = ':';
    label[3] = ':';
    snprintf(text, sizeof(text), BASE "seclabel = \"%s\"\n", label);
    expect_err(parse(text), "vm.cfg:3", "seclabel is 256 characters long", "at most 255",
               NULL);
    expect_err(parse(BASE "seclabel = \"u:r:t s0\"\n"), "vm.cfg:3",
               "character ' ' at position 6", "A-Z a-z 0-9 _ . : , -", NULL);
    expect_err(parse(BASE "\nseclabel = \"u:r:t\\n\"\n"), "vm.cfg:4", "\\x0a", NULL);
    expect_err(parse(BASE "seclabel = \"u:r:t;x\"\n"), "character ';'", NULL);
    expect_err(parse(BASE "seclabel = \"\"\n"), "vm.cfg:3", "seclabel is empty", NULL);
    expect_err(parse(BASE "seclabel = \"domU_t\"\n"), "user:role:type", NULL);
    expect_err(parse(BASE "seclabel = \"u:r\"\n"), "user:role:type", NULL);
    expect_err(parse(BASE "seclabel = \"u::t\"\n"), "user:role:type", NULL);
    expect_err(parse(BASE "seclabel = \":r:t\"\n"), "user:role:type", NULL);
    expect_err(parse(BASE "seclabel = \"u:r:\"\n"), "user:role:type", NULL);
    expect_err(parse(BASE "seclabel = \"u:r:t:\"\n"), "user:role:type", NULL);
    expect_err(parse(BASE "seclabel = 5\n"), "vm.cfg:3", "seclabel must be a string", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "seclabel=u:r:t/x" }, 1),
               "vm.cfg: override \"seclabel=u:r:t/x\"", "character '/'", NULL);
    expect_err(parse(BASE "seclable = \"u:r:t\"\n"), "did you mean \"seclabel\"", NULL);
}

static void test_memory_bad(void **state)
{
    (void)state;
    expect_err(parse(BASE "memory = 0\n"), "vm.cfg:3", "memory = 0 is out of range",
               "4 and 32768", "MiB", NULL);
    expect_err(parse(BASE "memory = 3\n"), "vm.cfg:3", "memory = 3 is out of range", NULL);
    expect_err(parse(BASE "memory = 65537\n"), "vm.cfg:3", "memory = 65537 is out of range",
               NULL);
    expect_err(parse(BASE "memory = -1\n"), "vm.cfg:3", "memory = -1 is out of range", NULL);
    expect_err(parse(BASE "memory = \"64\"\n"), "vm.cfg:3", "must be a number, not a string",
               "memory = 64 without quotes", NULL);
    expect_err(parse(BASE "memory = \"lots\"\n"), "vm.cfg:3", "whole number", NULL);
    expect_err(parse(BASE "memory = 1.5\n"), "vm.cfg:3", "whole number", NULL);
    expect_err(parse(BASE "memory = true\n"), "vm.cfg:3", "whole number", NULL);
    expect_err(parse(BASE "memory = [ 1 ]\n"), "vm.cfg:3", "whole number", "list", NULL);
    expect_err(parse(BASE "memory = 16MB\n"), "vm.cfg:3", "\"16MB\" is not a number",
               "without units", NULL);
    expect_err(parse(BASE "memory = 4294967312\n"), "vm.cfg:3", "4294967312 is out of range",
               NULL);
    expect_err(parse(BASE "memory = 2147483648\n"), "vm.cfg:3", "out of range", NULL);
    expect_err(parse(BASE "memory = -2147483649\n"), "vm.cfg:3", "out of range", NULL);
    expect_err(parse(BASE "memory = 0xffffffff\n"), "vm.cfg:3", "out of range", NULL);
    expect_err(parse(BASE "memory = 0x100000040\n"), "vm.cfg:3", "out of range", NULL);
    expect_err(parse(BASE "memory = 99999999999999999999L\n"), "vm.cfg:3", "out of range",
               NULL);
    expect_err(parse(BASE "memory = 4294967312L\n"), "vm.cfg:3", "memory = 4294967312",
               NULL);
}

static void test_name_bad(void **state)
{
    (void)state;
    expect_err(parse("kernel = \"/k\"\nname = \"my vm\"\n"), "vm.cfg:2", "\"my vm\"",
               "' ' at position 3", NULL);
    expect_err(parse("kernel = \"/k\"\nname = \"a23456789012345678901234567890123456789012"
                     "3456789012345678901234\"\n"),
               "vm.cfg:2", "64 characters", "at most 63", NULL);
    expect_err(parse("kernel = \"/k\"\nname = \"\"\n"), "vm.cfg:2", "name is empty", NULL);
    expect_err(parse("kernel = \"/k\"\nname = \"a/b\"\n"), "'/'", NULL);
    expect_err(parse("kernel = \"/k\"\nname = \"a\\nb\"\n"), "\\x0a", NULL);
    expect_err(parse("kernel = \"/k\"\nname = \"42\"\n"), "all digits", "domid", NULL);
    expect_err(parse("kernel = \"/k\"\nname = 42\n"), "vm.cfg:2", "must be a string", NULL);
    expect_err(parse("kernel = \"/k\"\nname = vm1\n"), "vm.cfg:2", "syntax error",
               "name = \"vm1\"", NULL);
}

static void test_missing_required(void **state)
{
    (void)state;
    expect_err(parse("name = \"vm1\"\nmemory = 16\n"), "vm.cfg",
               "missing required key \"kernel\"", "kernel = \"", NULL);
    expect_err(parse("kernel = \"/k\"\n"), "missing required key \"name\"", NULL);
    expect_err(parse(""), "missing required key", NULL);
    expect_err(parse("# only a comment\n"), "missing required key", NULL);
    expect_err(parse(BASE "kernel2 = 1\n"), "vm.cfg:3", NULL);
    expect_err(parse("name = \"vm1\"\nkernel = \"\"\n"), "vm.cfg:2", "kernel is empty", NULL);
    expect_err(parse("name = \"vm1\"\nkernel = 5\n"), "vm.cfg:2", "must be a string", NULL);
}

static void test_vcpus_cap_actions(void **state)
{
    (void)state;
    expect_err(parse(BASE "vcpus = 2\n"), "vm.cfg:3", "vcpus = 2", "only 1 vCPU", NULL);
    expect_err(parse(BASE "vcpus = 0\n"), "vm.cfg:3", "only 1 vCPU", NULL);
    expect_err(parse(BASE "cap = 101\n"), "vm.cfg:3", "cap = 101 is out of range", NULL);
    expect_err(parse(BASE "cap = -5\n"), "vm.cfg:3", "out of range", NULL);
    expect_err(parse(BASE "on_crash = \"reboot\"\n"), "vm.cfg:3", "on_crash = \"reboot\"",
               "\"destroy\", \"preserve\" or \"restart\"", NULL);
    expect_err(parse(BASE "on_poweroff = \"coredump-destroy\"\n"), "not supported", NULL);
    expect_err(parse(BASE "on_reboot = 1\n"), "must be a string", NULL);
}

static void test_cmdline_too_long(void **state)
{
    char *t = malloc(64 + XENIA_CMDLINE_MAX);
    size_t p;

    (void)state;
    assert_non_null(t);
    strcpy(t, BASE "cmdline = \"");
    p = strlen(t);
    memset(t + p, 'a', XENIA_CMDLINE_MAX);
    strcpy(t + p + XENIA_CMDLINE_MAX, "\"\n");
    expect_err(parse(t), "vm.cfg:3", "cmdline is 1024 bytes long", "at most 1023", NULL);
    free(t);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_err(parse(BASE "memory = \n"), "vm.cfg:", "syntax error", NULL);
    expect_err(parse(BASE "name = \"vm2\"\n"), "vm.cfg:3", "set twice", "KEY=VALUE", NULL);
    expect_err(parse(BASE "just words\n"), "vm.cfg:3", "syntax error", "key = value", NULL);
    expect_err(parse(BASE "_x = 1\n"), "vm.cfg:3", "start with a letter", NULL);
    expect_err(parse(BASE "v = [ \"a\", 1 ]\n"), "vm.cfg:3", "same type", NULL);
    expect_err(parse(BASE "cmdline = \"unterminated\n"), "vm.cfg:", NULL);
    expect_err(parse(BASE "cmdline = 'unterminated\n"), "vm.cfg:", NULL);
    expect_err(parse(BASE "x = { a = 1; }\n"), "vm.cfg:3", "unknown key \"x\"", NULL);
    expect_err(parse(BASE "memory = { a = 1; }\n"), "vm.cfg:3", "group", NULL);
}

static void test_nul_and_size(void **state)
{
    static const char t[] = "name = \"vm1\"\nkernel = \"/k\"\0memory=1\n";
    char *big;

    (void)state;
    assert_int_equal(xenia_config_parse(t, sizeof(t) - 1, "vm.cfg", NULL, 0, &cfg, err,
                                        sizeof(err)), -XENIA_EINVAL);
    assert_non_null(strstr(err, "vm.cfg:2"));
    assert_non_null(strstr(err, "NUL"));

    big = calloc(1, XENIA_CFG_TEXT_MAX + 2);
    assert_non_null(big);
    memset(big, ' ', XENIA_CFG_TEXT_MAX + 1);
    assert_int_equal(xenia_config_parse(big, XENIA_CFG_TEXT_MAX + 1, "vm.cfg", NULL, 0, &cfg,
                                        err, sizeof(err)), -XENIA_E2BIG);
    free(big);

    /* NULL err buffer and NULL source are fine */
    assert_int_equal(xenia_config_parse("x", 1, NULL, NULL, 0, &cfg, NULL, 0), -XENIA_EINVAL);
    assert_int_equal(xenia_config_parse(NULL, 0, NULL, NULL, 0, NULL, NULL, 0), -XENIA_EINVAL);
    /* not NUL-terminated input: only len bytes are read */
    assert_int_equal(xenia_config_parse(BASE "garbage here", strlen(BASE), "vm.cfg", NULL, 0,
                                        &cfg, err, sizeof(err)), 0);
}

static void test_override_errors(void **state)
{
    (void)state;
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "memory=0" }, 1),
               "vm.cfg: override \"memory=0\"", "out of range", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "memroy=5" }, 1),
               "override \"memroy=5\"", "did you mean \"memory\"", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "memory" }, 1),
               "not KEY=VALUE", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "=5" }, 1), "KEY must", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "memory=abc" }, 1),
               "cannot parse", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "memory=\"64\"" }, 1),
               "without quotes", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "memory=1; name=\"x\"" }, 1),
               "one value", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "vif=['x']" }, 1),
               "vif is not supported", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "disk=a.img,qcow2" }, 1),
               "vm.cfg: override \"disk=a.img,qcow2\"", "format qcow2 is not supported", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "disk=['a','b']" }, 1),
               "override", "only one disk per domain", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "name=a b" }, 1),
               "position 2", NULL);
    expect_err(parse_ov(BASE, "vm.cfg", (const char *const[]){ "memory=99999999999" }, 1),
               "out of range", NULL);
    /* a bad file is reported before overrides are looked at */
    expect_err(parse_ov(BASE "memroy = 1\n", "vm.cfg", (const char *const[]){ "memory=5" }, 1),
               "vm.cfg:3", NULL);
}

static void test_load_file(void **state)
{
    char dir[] = "/tmp/xenia-test-config-XXXXXX", path[128];
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/hello.cfg", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("name = \"hello\"\nkernel = \"hello.elf\"\nmemory = 16\n", f);
    fclose(f);
    assert_int_equal(xenia_config_load(path, NULL, 0, &cfg, err, sizeof(err)), 0);
    assert_int_equal(cfg.memory_mib, 16);
    assert_true(strncmp(cfg.kernel, dir, strlen(dir)) == 0);
    assert_string_equal(cfg.kernel + strlen(dir), "/hello.elf");
    unlink(path);

    assert_true(xenia_config_load(path, NULL, 0, &cfg, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "cannot read"));
    assert_non_null(strstr(err, path));
    rmdir(dir);
}

static void test_example_config(void **state)
{
    (void)state;
    /* the sample shipped in tools/examples must stay valid */
    assert_int_equal(xenia_config_load("tools/examples/hello.cfg", NULL, 0, &cfg, err,
                                       sizeof(err)), 0);
    assert_string_equal(cfg.name, "hello");
    assert_int_equal(cfg.memory_mib, 16);
    assert_string_equal(cfg.kernel, "tools/examples/../../build/guests/hello.elf");
    assert_int_equal(cfg.has_disk, 0);
    assert_int_equal(xenia_config_load("tools/examples/disk.cfg", NULL, 0, &cfg, err,
                                       sizeof(err)), 0);
    assert_int_equal(cfg.has_disk, 1);
    assert_string_equal(cfg.disk, "/tmp/xenia-disk.img");
    assert_string_equal(cfg.disk_vdev, "xvda");
    assert_int_equal(cfg.disk_ro, 0);
    assert_string_equal(cfg.disk_origin, "tools/examples/disk.cfg:19");
}

static void test_distance_and_name_ok(void **state)
{
    (void)state;
    assert_int_equal(xenia_config_distance("memroy", "memory"), 1);
    assert_int_equal(xenia_config_distance("", "abc"), 3);
    assert_int_equal(xenia_config_distance("NAME", "name"), 0);
    assert_true(xenia_config_distance(NULL, "x") >= 1000);
    assert_true(xenia_config_name_ok("a.b-c_9"));
    assert_false(xenia_config_name_ok(""));
    assert_false(xenia_config_name_ok(NULL));
    assert_false(xenia_config_name_ok("a b"));
    assert_false(xenia_config_name_ok("a234567890123456789012345678901234567890123456789012345678901234"));
    assert_string_equal(xenia_config_action_name(XENIA_ACTION_RESTART), "restart");
    assert_string_equal(xenia_config_action_name(9), "?");
}

/* Random and mutated inputs: never crash, always NUL-terminated messages. */
static void test_fuzz_no_crash(void **state)
{
    static const char *const seeds[] = {
        BASE "memory = 16\ncmdline = 'a \"b\" c'\n",
        "disk = [ 'a', 'b', ]\n/* c */ name = \"x\" # y\n",
        "a = ( 1, [ 2, 3, ], { b = 4; } );\nname=\"q\"\nkernel=\"k\"\n",
        "memory = 0x7fffffff\nmemory = -0.5e+3\n",
    };
    static const char alphabet[] = "\"'#/*\\\n ;,=:[](){}0123456789xXeEL.+-abnm_@";
    unsigned seed = 12345;
    char buf[256];
    size_t s, k, n;
    int rc;

    (void)state;
    for (s = 0; s < 4000; s++) {
        const char *base = seeds[s % 4];

        n = strlen(base);
        memcpy(buf, base, n);
        for (k = 0; k < 1 + s % 6; k++) {
            seed = seed * 1103515245u + 12345u;
            buf[(seed >> 8) % n] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
        }
        buf[n] = '\0';
        memset(err, 0x55, sizeof(err));
        rc = xenia_config_parse(buf, n, "f.cfg", NULL, 0, &cfg, err, sizeof(err));
        assert_true(rc == 0 || rc == -XENIA_EINVAL);
        assert_non_null(memchr(err, '\0', sizeof(err)));
        {
            const char *ov[] = { buf };

            rc = xenia_config_parse(BASE, strlen(BASE), "f.cfg", ov, 1, &cfg, err, sizeof(err));
            assert_true(rc == 0 || rc == -XENIA_EINVAL);
            assert_non_null(memchr(err, '\0', sizeof(err)));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_defaults),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_xl_syntax_variants),
        cmocka_unit_test(test_memory_limits_ok),
        cmocka_unit_test(test_cmdline_max_ok),
        cmocka_unit_test(test_name_63_ok),
        cmocka_unit_test(test_relative_kernel),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_disk_forms),
        cmocka_unit_test(test_disk_relative),
        cmocka_unit_test(test_disk_bad),
        cmocka_unit_test(test_parse_disk_direct),
        cmocka_unit_test(test_unknown_key_suggestion),
        cmocka_unit_test(test_unsupported_keys),
        cmocka_unit_test(test_seclabel_ok),
        cmocka_unit_test(test_seclabel_bad),
        cmocka_unit_test(test_memory_bad),
        cmocka_unit_test(test_name_bad),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_vcpus_cap_actions),
        cmocka_unit_test(test_cmdline_too_long),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_nul_and_size),
        cmocka_unit_test(test_override_errors),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_example_config),
        cmocka_unit_test(test_distance_and_name_ok),
        cmocka_unit_test(test_fuzz_no_crash),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
