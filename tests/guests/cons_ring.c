// expect-shutdown: poweroff
// expect-console: cons_ring: hello through the console ring
// expect-console: Test result: SUCCESS
// timeout: 60
// needs: a device model (the console ring's output must reach the domain's console log)
/* SPDX-License-Identifier: MIT */
/*
 * The console ring in the I/O window, served by the dm: a line, then 12 KiB
 * (six rings' worth: the frontend must wait for the backend to drain it),
 * all consumed by the backend; then up to `wait=S` seconds (default 3) for
 * input lines, each echoed back through the ring as "cons_ring: echo: ...".
 * Results are also printed on the hypercall console (printf).
 */
#include "blk_common.h"

int main(void)
{
    static const char hello[] = "cons_ring: hello through the console ring\n";
    volatile struct xenia_cons_ring *r;
    char line[128], in[256];
    uint64_t end;
    long n;
    int rc;

    rc = cons_init();
    xt_check_eq(rc, 0, "cons_init");
    if (rc != 0)
        xt_done();
    r = xenia_gva_ptr(xenia_start_info()->iowin_gpa + XENIA_IOWIN_CONS_OFF);
    xt_check_eq(cons_write(hello, sizeof(hello) - 1), (long)(sizeof(hello) - 1), "write a line");
    for (unsigned i = 0; i < 192; i++) {
        int len = snprintf(line, sizeof(line), "cons_ring: bulk line %03u %s\n", i,
                           "................................");
        xt_check(cons_write(line, (size_t)len) == len, "bulk line %u written", i);
    }
    xt_check_eq(cons_write("cons_ring: bulk done\n", 21), 21, "last line");
    /* The backend drains it all. */
    end = xenia_now_ns() + 5000 * MS;
    while (r->out_cons != r->out_prod && xenia_now_ns() < end)
        xenia_block(xenia_now_ns() + 10 * MS);
    xt_check(r->out_cons == r->out_prod, "ring drained: out_cons %u out_prod %u", r->out_cons,
             r->out_prod);
    xt_check_eq(r->backend_state, XENIA_DEV_CONNECTED, "console backend connected");
    printf("cons_ring: %u bytes went through the ring\n", r->out_prod);

    /* Input echo. */
    end = xenia_now_ns() + cmdline_num("wait", 3) * 1000 * MS;
    while ((n = cons_read_wait(in, sizeof(in) - 1, end)) > 0) {
        int len;

        in[n] = 0;
        len = snprintf(line, sizeof(line), "cons_ring: echo: %s%s", in,
                       in[n - 1] == '\n' ? "" : "\n");
        if (len > (int)sizeof(line) - 1)
            len = (int)sizeof(line) - 1;
        xt_check(cons_write(line, (size_t)len) == len, "echo written");
        printf("cons_ring: got %ld bytes of input\n", n);
    }
    xt_done();
}
