// expect-shutdown: fault
// expect-console: fault_ro_write: writing the start-info page
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* Page fault: a write to the read-only start-info page must end the domain with a fault (vector 14). */
#include <xenia/guest.h>

int main(void)
{
    printf("fault_ro_write: writing the start-info page\n");
    xenia_console_flush();
    *(volatile uint32_t *)xenia_gva_ptr(XENIA_START_INFO_GPA + 16) = 0xdead;
    printf("FAIL: fault_ro_write survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
