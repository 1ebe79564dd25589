// expect-shutdown: poweroff
// expect-console: hc_console: hello
// expect-console: hc_console: from rodata
// expect-console: Test result: SUCCESS
// timeout: 20
/* SPDX-License-Identifier: MIT */
/*
 * console_io (hypercall.h): CONSOLEIO_write and CONSOLEIO_read with valid and
 * invalid counts, buffers and commands. Writes only read guest memory, so
 * read-only pages are valid sources; reads write guest memory, so read-only
 * pages (start-info, rodata, text) must be refused with -EFAULT.
 */
#include "hc_common.h"

static const char ro_msg[] = "hc_console: from rodata\n";
static char big[XENIA_CONSOLEIO_MAX + 64];

#define W(count, buf) xenia_console_io(XENIA_CONSOLEIO_write, (count), (buf))
#define R(count, buf) xenia_console_io(XENIA_CONSOLEIO_read, (count), (buf))

static void test_write(uint64_t guard)
{
    static const char hello[] = "hc_console: hello\n";

    xt_check_eq(W(sizeof(hello) - 1, XENIA_GVA(hello)), sizeof(hello) - 1, "write hello");
    xt_check_eq(W(0, XENIA_GVA(hello)), 0, "write 0 bytes");
    xt_check_eq(W(sizeof(ro_msg) - 1, XENIA_GVA(ro_msg)), sizeof(ro_msg) - 1,
                "write from rodata (read-only source is fine)");
    xt_check_eq(W(16, XENIA_START_INFO_GPA), 16, "write from the start-info page");
    xt_check_eq(W(1, XENIA_GVA("\n")), 1, "newline");

    memset(big, '.', sizeof(big));
    big[XENIA_CONSOLEIO_MAX - 1] = '\n';
    xt_check_eq(W(XENIA_CONSOLEIO_MAX, XENIA_GVA(big)), XENIA_CONSOLEIO_MAX,
                "write exactly XENIA_CONSOLEIO_MAX bytes");

    xt_check_eq(W(XENIA_CONSOLEIO_MAX + 1, XENIA_GVA(big)), -XENIA_EINVAL, "count MAX+1");
    xt_check_eq(W((1ull << 32) | 5, XENIA_GVA(big)), -XENIA_EINVAL, "count 2^32+5");
    xt_check_eq(W(~0ull, XENIA_GVA(big)), -XENIA_EINVAL, "count ~0");

    xt_check_eq(W(5, BAD_NULL), -XENIA_EFAULT, "NULL buffer");
    xt_check_eq(W(5, BAD_PAGE0), -XENIA_EFAULT, "buffer in page 0");
    xt_check_eq(W(32, XENIA_START_INFO_GPA - 16), -XENIA_EFAULT,
                "buffer straddling page 0 and the start-info page");
    xt_check_eq(W(8, BAD_BUILDER), -XENIA_EFAULT, "buffer in the builder area (GDT)");
    xt_check_eq(W(8, BAD_BUILDER_END), -XENIA_EFAULT, "buffer at the end of the builder area");
    xt_check_eq(W(8, guard), -XENIA_EFAULT, "buffer in the stack guard page");
    xt_check_eq(W(16, guard - 8), -XENIA_EFAULT, "buffer running into the guard page");
    xt_check_eq(W(8, xenia_start_info()->stack_top), -XENIA_EFAULT, "buffer at the end of RAM");
    xt_check_eq(W(16, xenia_start_info()->stack_top - 8), -XENIA_EFAULT,
                "buffer running past the end of RAM");
    xt_check_eq(W(0x1000, 0xfffffffffffff800ull), -XENIA_EFAULT, "buffer that wraps");
    xt_check_eq(W(8, BAD_NONCANON), -XENIA_EFAULT, "non-canonical buffer");
    xt_check_eq(W(8, BAD_KERNEL_HALF), -XENIA_EFAULT, "upper-half buffer");
}

static void test_read(uint64_t guard)
{
    static char in[32];
    char magic[16];
    long rc;

    memcpy(magic, xenia_start_info()->magic, sizeof(magic));
    rc = R(sizeof(in), XENIA_GVA(in));
    xt_check(rc >= 0 && rc <= (long)sizeof(in), "read into a valid buffer: %ld", rc);
    xt_check_eq(R(0, XENIA_GVA(in)), 0, "read 0 bytes");
    xt_check_eq(R(XENIA_CONSOLEIO_MAX + 1, XENIA_GVA(big)), -XENIA_EINVAL, "read count MAX+1");
    xt_check_eq(R((1ull << 32) | 1, XENIA_GVA(big)), -XENIA_EINVAL, "read count 2^32+1");

    xt_check_eq(R(16, XENIA_START_INFO_GPA), -XENIA_EFAULT, "read into the read-only start-info page");
    xt_check_eq(R(8, XENIA_GVA(ro_msg)), -XENIA_EFAULT, "read into rodata");
    xt_check_eq(R(8, XENIA_GVA(&main)), -XENIA_EFAULT, "read into the text segment");
    xt_check_eq(R(8, BAD_NULL), -XENIA_EFAULT, "read into NULL");
    xt_check_eq(R(8, BAD_BUILDER), -XENIA_EFAULT, "read into the builder area");
    xt_check_eq(R(8, guard), -XENIA_EFAULT, "read into the guard page");
    xt_check_eq(R(16, guard - 8), -XENIA_EFAULT, "read running into the guard page");
    xt_check_eq(R(0x1000, 0xfffffffffffff800ull), -XENIA_EFAULT, "read buffer that wraps");
    xt_check_eq(R(8, BAD_NONCANON), -XENIA_EFAULT, "read into a non-canonical address");
    xt_check(memcmp(magic, xenia_start_info()->magic, sizeof(magic)) == 0,
             "start-info page unchanged");
    xt_check(memcmp(ro_msg, "hc_console: from rodata\n", sizeof(ro_msg)) == 0,
             "rodata unchanged");
}

static void test_cmd(void)
{
    static const char leak[] = "hc_console: LEAK (a bad command was executed)\n";

    xt_check_eq(xenia_console_io(2, sizeof(leak) - 1, XENIA_GVA(leak)), -XENIA_EINVAL, "cmd 2");
    xt_check_eq(xenia_console_io(0xffffffffu, sizeof(leak) - 1, XENIA_GVA(leak)), -XENIA_EINVAL,
                "cmd 0xffffffff");
    xt_check_eq(xenia_console_io(XENIA_CONSOLEIO_write | (1ull << 32), sizeof(leak) - 1,
                                 XENIA_GVA(leak)), -XENIA_EINVAL, "write | 1<<32");
    xt_check_eq(xenia_console_io(XENIA_CONSOLEIO_read | (1ull << 63), 8, XENIA_GVA(big)),
                -XENIA_EINVAL, "read | 1<<63");
}

int main(void)
{
    uint64_t guard = hc_guard_page();

    xt_check(guard == xenia_start_info()->heap_end, "guard page %#llx is right above the heap",
             (unsigned long long)guard);
    test_write(guard);
    test_read(guard);
    test_cmd();
    xt_done();
}
