// expect-shutdown: poweroff
// expect-console: Hello from Xenia domain
// timeout: 20
/* SPDX-License-Identifier: MIT */
/*
 * The smallest guest: greets with its domid and command line, then powers off.
 * With "wait" on its command line it stays up instead: it blocks until an
 * event arrives, echoes console input ("echo: ..."), and shuts down with the
 * reason the toolstack asks for (xenia shutdown [-R]).
 */
#include <xenia/guest.h>

static int has_word(const char *s, const char *w)
{
    size_t n = strlen(w);

    while (*s) {
        if (strncmp(s, w, n) == 0 && (s[n] == 0 || s[n] == ' '))
            return 1;
        while (*s && *s != ' ')
            s++;
        while (*s == ' ')
            s++;
    }
    return 0;
}

static void serve_until_shutdown(void)
{
    const struct xenia_start_info *si = xenia_start_info();
    char buf[128];

    /* Only console input and the control port may end a block: the dm raises
     * its ring ports when it starts, and a pending port nobody clears would
     * turn the loop below into a spin. */
    xenia_evtchn_mask(XENIA_PORT_CONS_RING);
    xenia_evtchn_mask(XENIA_PORT_BLK);
    for (;;) {
        xenia_block(0);
        if (xenia_evtchn_test_and_clear(si->console_port)) {
            long n;
            while ((n = xenia_console_read(buf, sizeof(buf) - 1)) > 0) {
                buf[n] = 0;
                printf("echo: %s%s", buf, buf[n - 1] == '\n' ? "" : "\n");
            }
        }
        if (xenia_evtchn_test_and_clear(si->control_port)) {
            uint32_t req = xenia_shared()->shutdown_request;
            if (req) {
                printf("shutdown requested (%s)\n", req - 1 == XENIA_SHUTDOWN_reboot ? "reboot" : "poweroff");
                xenia_shutdown(req - 1);
            }
        }
    }
}

int main(void)
{
    const struct xenia_start_info *si = xenia_start_info();

    printf("Hello from Xenia domain %u\n", si->domid);
    printf("cmdline: \"%s\"\n", xenia_cmdline());
    if (has_word(xenia_cmdline(), "wait"))
        serve_until_shutdown();
    return 0;
}
