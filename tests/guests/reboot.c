// expect-shutdown: reboot
// expect-console: reboot: shutting down with reason reboot
// timeout: 20
/* SPDX-License-Identifier: MIT */
/* SCHEDOP_shutdown(reboot): the guest asks to be restarted. */
#include <xenia/guest.h>

int main(void)
{
    printf("reboot: shutting down with reason reboot\n");
    xenia_shutdown(XENIA_SHUTDOWN_reboot);
}
