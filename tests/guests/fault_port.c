// expect-shutdown: fault
// expect-console: fault_port: writing exception port
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* General protection: CPL3 may use only the hypercall port; an out to an exception-report port must fault (vector 13), not fake a report. */
#include <xenia/guest.h>

int main(void)
{
    printf("fault_port: writing exception port %#x from CPL3\n", XENIA_EXC_PORT_BASE + 3);
    xenia_console_flush();
    __asm__ volatile("outb %%al, %0" : : "N"(XENIA_EXC_PORT_BASE + 3), "a"(0));
    printf("FAIL: fault_port survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
