// expect-shutdown: none
// expect: runs
// expect-console: fault_spin: spinning
// timeout: 5
/* SPDX-License-Identifier: MIT */
/*
 * Containment: a guest that spins forever at CPL3 without making hypercalls.
 * The runner checks that it is still running at the timeout, that hv and other
 * domains are unaffected, and that it can be destroyed.
 */
#include <xenia/guest.h>

int main(void)
{
    volatile uint64_t n = 0;

    printf("fault_spin: spinning\n");
    xenia_console_flush();
    for (;;)
        n++;
}
