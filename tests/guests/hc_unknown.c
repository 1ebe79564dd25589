// expect-shutdown: poweroff
// expect-console: Test result: SUCCESS
// timeout: 20
/* SPDX-License-Identifier: MIT */
/*
 * Unknown hypercall numbers return -ENOSYS without side effects. The arguments
 * are those of a valid console write, so an hv that truncated the number to
 * 32 (or 8) bits would print "LEAK" instead of refusing.
 */
#include "hc_common.h"

int main(void)
{
    static const char leak[] = "hc_unknown: LEAK (an unknown hypercall was executed)\n";
    static const uint64_t nrs[] = {
        0, 1, 7, 11, 63, XENIA_HC_MAX, XENIA_HC_MAX + 1, 255, 256, 1000, 0xffff,
        1ull << 32, (1ull << 32) | XENIA_HC_console_io, (1ull << 32) | XENIA_HC_xen_version,
        0x100 | XENIA_HC_console_io, 1ull << 63, (1ull << 63) | XENIA_HC_console_io, ~0ull,
    };

    for (unsigned i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
        long rc = xenia_hypercall5(nrs[i], XENIA_CONSOLEIO_write, sizeof(leak) - 1,
                                   XENIA_GVA(leak), 0, 0);
        xt_check(rc == -XENIA_ENOSYS, "hypercall %#llx returned %ld, want -ENOSYS (%d)",
                 (unsigned long long)nrs[i], rc, -XENIA_ENOSYS);
    }
    /* A known number still works afterwards. */
    xt_check_eq(xenia_xen_version(XENIA_XENVER_version, 0), XENIA_INTERFACE_VERSION,
                "xen_version after unknown calls");
    xt_done();
}
