/* SPDX-License-Identifier: MIT */
/*
 * Console attach loop of `xenia console` (cf. xl console / xenconsole): copies
 * bytes from the console socket (ctl.h CONSOLE reply: SOCK_STREAM, bytes read
 * are console output, bytes written are input) to out_fd, and from in_fd to the
 * socket. No terminal handling here: the caller puts the tty in raw mode.
 */
#ifndef XENIA_TOOLS_CONSOLE_H
#define XENIA_TOOLS_CONSOLE_H

#include <signal.h>

#define XENIA_CONSOLE_ESCAPE 0x1d   /* Ctrl-] detaches, as in xl console and telnet */

enum {
    XENIA_CONSOLE_EOF      = 0,     /* the console socket reached end of file */
    XENIA_CONSOLE_DETACHED = 1,     /* the escape byte was read from in_fd */
};

struct xenia_console_opts {
    int in_fd;          /* input to send to the guest, or -1 for none (read-only) */
    int out_fd;         /* where console output goes */
    int escape;         /* 1: XENIA_CONSOLE_ESCAPE in the input detaches (the bytes
                           before it are sent, the escape byte is not) */
    int timeout_ms;     /* > 0: stop after this long; <= 0: no limit */
    volatile sig_atomic_t *stop;   /* optional: set non-zero (by a signal handler) to stop */
};

/*
 * Copy until the socket reaches EOF, the escape byte arrives, the timeout passes
 * or *stop is set. End of file on in_fd only stops the input direction: output is
 * still copied until the socket's EOF (pipe-friendly). A write error on out_fd
 * (e.g. EPIPE: the reader went away) or on the socket ends the loop.
 * Returns XENIA_CONSOLE_EOF, XENIA_CONSOLE_DETACHED, -XENIA_ETIMEDOUT, -XENIA_EINTR
 * (*stop set), or -errno of a failed poll/read/write.
 */
int xenia_console_pump(int sock, const struct xenia_console_opts *o)
    __attribute__((warn_unused_result));

#endif /* XENIA_TOOLS_CONSOLE_H */
