// expect-shutdown: fault
// expect-console: fault_gp: executing hlt
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* General protection: hlt at CPL3 must end the domain with a fault (vector 13). */
#include <xenia/guest.h>

int main(void)
{
    printf("fault_gp: executing hlt\n");
    xenia_console_flush();
    __asm__ volatile("hlt");
    printf("FAIL: fault_gp survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
