// expect-shutdown: fault
// expect-console: fault_ud: executing ud2
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* Invalid opcode: ud2 at CPL3 must end the domain with a fault (vector 6). */
#include <xenia/guest.h>

int main(void)
{
    printf("fault_ud: executing ud2\n");
    xenia_console_flush();
    __asm__ volatile("ud2");
    printf("FAIL: fault_ud survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
