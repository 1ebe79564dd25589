// expect-shutdown: fault
// expect-console: fault_supervisor: reading the GDT page
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* Page fault: a CPL3 read of the supervisor-only builder area (GDT at 0x3000) must end the domain with a fault (vector 14). */
#include <xenia/guest.h>

int main(void)
{
    printf("fault_supervisor: reading the GDT page\n");
    xenia_console_flush();
    (void)*(volatile uint64_t *)xenia_gva_ptr(XENIA_BUILDER_AREA_GPA);
    printf("FAIL: fault_supervisor survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
