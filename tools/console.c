/* SPDX-License-Identifier: MIT */
/*
 * Console attach loop (see console.h).
 */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xenia/abi.h"

#define CHUNK 4096

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write all of buf[0..n) to fd (blocking; retries on EINTR and short writes). */
static int write_all(int fd, const char *buf, size_t n, int is_sock)
{
    while (n > 0) {
        ssize_t w = is_sock ? send(fd, buf, n, MSG_NOSIGNAL) : write(fd, buf, n);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd p = { .fd = fd, .events = POLLOUT };

                (void)poll(&p, 1, 1000);
                continue;
            }
            return -errno;
        }
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

int xenia_console_pump(int sock, const struct xenia_console_opts *o)
{
    char buf[CHUNK];
    int in_fd, rc;
    int64_t deadline;

    if (sock < 0 || !o || o->out_fd < 0)
        return -XENIA_EINVAL;
    in_fd = o->in_fd;
    deadline = o->timeout_ms > 0 ? now_ms() + o->timeout_ms : -1;

    for (;;) {
        struct pollfd p[2];
        nfds_t np = 1;
        int left = -1, pr;

        if (o->stop && *o->stop)
            return -XENIA_EINTR;
        if (deadline >= 0) {
            int64_t l = deadline - now_ms();

            if (l <= 0)
                return -XENIA_ETIMEDOUT;
            left = l > INT32_MAX ? INT32_MAX : (int)l;
        }
        p[0].fd = sock;
        p[0].events = POLLIN;
        p[0].revents = 0;
        if (in_fd >= 0) {
            p[1].fd = in_fd;
            p[1].events = POLLIN;
            p[1].revents = 0;
            np = 2;
        }
        pr = poll(p, np, left);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (pr == 0)
            continue;   /* the deadline check above ends the loop */

        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(sock, buf, sizeof(buf));

            if (r < 0) {
                if (errno == EINTR || errno == EAGAIN)
                    continue;
                if (errno == ECONNRESET)
                    return XENIA_CONSOLE_EOF;
                return -errno;
            }
            if (r == 0)
                return XENIA_CONSOLE_EOF;
            if ((rc = write_all(o->out_fd, buf, (size_t)r, 0)) < 0)
                return rc;
        }
        if (np == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(in_fd, buf, sizeof(buf));
            char *esc;

            if (r < 0) {
                if (errno == EINTR || errno == EAGAIN)
                    continue;
                return -errno;
            }
            if (r == 0) {
                in_fd = -1;     /* input done; keep copying output */
                continue;
            }
            esc = o->escape ? memchr(buf, XENIA_CONSOLE_ESCAPE, (size_t)r) : NULL;
            if (esc) {
                if (esc > buf && (rc = write_all(sock, buf, (size_t)(esc - buf), 1)) < 0)
                    return rc == -EPIPE ? XENIA_CONSOLE_EOF : rc;
                return XENIA_CONSOLE_DETACHED;
            }
            if ((rc = write_all(sock, buf, (size_t)r, 1)) < 0)
                return (rc == -EPIPE || rc == -ECONNRESET) ? XENIA_CONSOLE_EOF : rc;
        }
    }
}
