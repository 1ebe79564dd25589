// expect-shutdown: fault
// expect-console: fault_stack: recursing into the guard page
// timeout: 20
/* SPDX-License-Identifier: MIT */
/*
 * Page fault: unbounded recursion runs the stack into the unmapped guard page
 * below it, which must end the domain with a fault (vector 14), not run into
 * the heap. The exception frame goes to the supervisor stack (TSS.RSP0).
 */
#include <xenia/guest.h>

static unsigned long depth;
static volatile unsigned long max_depth = ~0ul;   /* never reached: the guard page is */

static unsigned long recurse(volatile char *prev)
{
    volatile char frame[512];

    frame[0] = prev != NULL ? prev[0] + 1 : 1;
    if (++depth >= max_depth)
        return 0;
    return recurse(frame) + frame[0];   /* not a tail call */
}

int main(void)
{
    printf("fault_stack: recursing into the guard page below %#llx\n",
           (unsigned long long)(xenia_start_info()->stack_top - xenia_start_info()->stack_bytes));
    xenia_console_flush();
    (void)recurse(NULL);
    printf("FAIL: fault_stack survived the fault\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
