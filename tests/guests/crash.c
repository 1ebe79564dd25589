// expect-shutdown: crash
// expect-console: crash: shutting down with reason crash
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* SCHEDOP_shutdown(crash): the guest declares itself crashed. */
#include <xenia/guest.h>

int main(void)
{
    printf("crash: shutting down with reason crash\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
