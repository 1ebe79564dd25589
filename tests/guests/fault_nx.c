// expect-shutdown: fault
// expect-console: fault_nx: jumping into the heap
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* Page fault: executing from the (NX) heap must end the domain with a fault (vector 14). If NX were not enforced, the ret below would return and the test would crash instead. */
#include <xenia/guest.h>

int main(void)
{
    uint8_t *code = malloc(16);
    void (*fn)(void);

    if (code == NULL)
        xenia_panic("no heap");
    code[0] = 0xc3;   /* ret */
    fn = (void (*)(void))(uintptr_t)code;
    printf("fault_nx: jumping into the heap at %p\n", (void *)code);
    xenia_console_flush();
    fn();
    printf("FAIL: fault_nx survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
