// expect-shutdown: fault
// expect-console: fault_int: executing int 0x80
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* A software interrupt to a vector beyond the 32-gate IDT must end the domain with a fault
   (#GP, vector 13, on hardware; PVM reports int $0x80 from CPL3 as #UD, vector 6). */
#include <xenia/guest.h>

int main(void)
{
    printf("fault_int: executing int 0x80\n");
    xenia_console_flush();
    __asm__ volatile("int $0x80");
    printf("FAIL: fault_int survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
