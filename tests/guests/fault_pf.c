// expect-shutdown: fault
// expect-console: fault_pf: reading address 0
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* Page fault: a read of the unmapped page 0 must end the domain with a fault (vector 14). */
#include <xenia/guest.h>

int main(void)
{
    printf("fault_pf: reading address 0\n");
    xenia_console_flush();
    (void)*(volatile uint64_t *)xenia_gva_ptr(0x8);
    printf("FAIL: fault_pf survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
