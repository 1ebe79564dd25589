// expect-shutdown: fault
// expect-console: fault_de: dividing by zero
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* Divide error: div by zero must end the domain with a fault (vector 0). */
#include <xenia/guest.h>

int main(void)
{
    volatile uint64_t zero = 0;
    uint64_t q;

    printf("fault_de: dividing by zero\n");
    xenia_console_flush();
    __asm__ volatile("xor %%edx, %%edx; divq %1" : "=a"(q) : "r"(zero), "0"(1ull) : "rdx", "cc");
    (void)q;
    printf("FAIL: fault_de survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
