// expect-shutdown: fault
// expect-console: fault_text_write: writing the text segment
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* Page fault: a write to the guest's own (read-only, executable) text must end the domain with a fault (vector 14). */
#include <xenia/guest.h>

int main(void)
{
    printf("fault_text_write: writing the text segment\n");
    xenia_console_flush();
    *(volatile uint8_t *)xenia_gva_ptr(XENIA_GVA(&main)) = 0xc3;
    printf("FAIL: fault_text_write survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
