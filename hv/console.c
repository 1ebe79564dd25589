/* SPDX-License-Identifier: MIT */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int console_init(struct console *c, const char *dir, const char *name)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    for (int i = 0; i < CON_MAX_CLIENTS; i++)
        c->clients[i] = -1;
    c->at_line_start = 1;
    snprintf(c->log_path, sizeof(c->log_path), "%s/%s.log", dir, name);
    c->log_fd = open(c->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (c->log_fd < 0) {
        int e = errno;
        pthread_mutex_destroy(&c->lock);
        return -e;
    }
    return 0;
}

static void backlog_add(struct console *c, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        c->backlog[c->bl_head] = buf[i];
        c->bl_head = (c->bl_head + 1) % CON_BACKLOG;
    }
    c->bl_len = c->bl_len + n > CON_BACKLOG ? CON_BACKLOG : c->bl_len + n;
}

static void client_close(struct console *c, int i)
{
    close(c->clients[i]);
    c->clients[i] = -1;
}

/* Send to every client; must hold c->lock. */
static void fanout(struct console *c, const char *buf, size_t n)
{
    for (int i = 0; i < CON_MAX_CLIENTS; i++) {
        ssize_t w;
        if (c->clients[i] < 0)
            continue;
        w = send(c->clients[i], buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            continue;   /* peer gone: the main thread sees the hang-up and closes the slot */
        if (w < (ssize_t)n)
            c->dropped_bytes += n - (size_t)(w < 0 ? 0 : w);
    }
}

static void emit(struct console *c, const char *buf, size_t n)
{
    if (n == 0)
        return;
    if (c->log_bytes < CON_LOG_MAX) {
        size_t k = n < CON_LOG_MAX - c->log_bytes ? n : (size_t)(CON_LOG_MAX - c->log_bytes);
        static const char full[] = "\n[xenia-hv] console log limit reached: further output is not logged\n";

        if (write(c->log_fd, buf, k) < 0) { /* log is best effort; clients still get it */ }
        c->log_bytes += k;
        if (c->log_bytes == CON_LOG_MAX && write(c->log_fd, full, sizeof(full) - 1) < 0) { }
    }
    backlog_add(c, buf, n);
    fanout(c, buf, n);
    c->out_bytes += n;
    c->at_line_start = buf[n - 1] == '\n';
}

void console_output(struct console *c, const char *buf, size_t n)
{
    pthread_mutex_lock(&c->lock);
    emit(c, buf, n);
    pthread_mutex_unlock(&c->lock);
}

void console_note(struct console *c, const char *fmt, ...)
{
    char line[768];
    va_list ap;
    int n = 0;

    pthread_mutex_lock(&c->lock);
    if (!c->at_line_start)
        line[n++] = '\n';
    n += snprintf(line + n, sizeof(line) - (size_t)n, "[xenia-hv] ");
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    emit(c, line, (size_t)n);
    pthread_mutex_unlock(&c->lock);
}

uint32_t console_take_input(struct console *c, char *buf, uint32_t n)
{
    uint32_t k;

    pthread_mutex_lock(&c->lock);
    k = n < c->in_len ? n : c->in_len;
    memcpy(buf, c->in, k);
    memmove(c->in, c->in + k, c->in_len - k);
    c->in_len -= k;
    pthread_mutex_unlock(&c->lock);
    return k;
}

int console_attach(struct console *c)
{
    int sv[2], slot = -1;
    char tmp[CON_BACKLOG];
    size_t start;

    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < CON_MAX_CLIENTS; i++)
        if (c->clients[i] < 0) { slot = i; break; }
    if (slot < 0) {
        pthread_mutex_unlock(&c->lock);
        return -EBUSY;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        int e = errno;
        pthread_mutex_unlock(&c->lock);
        return -e;
    }
    /* Socket buffers hold the 16 KiB backlog: the send does not block. */
    start = (c->bl_head + CON_BACKLOG - c->bl_len) % CON_BACKLOG;
    for (size_t i = 0; i < c->bl_len; i++)
        tmp[i] = c->backlog[(start + i) % CON_BACKLOG];
    if (c->bl_len && send(sv[0], tmp, c->bl_len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
        /* a fresh socket always has room; ignore */
    }
    c->clients[slot] = sv[0];
    pthread_mutex_unlock(&c->lock);
    return sv[1];
}

int console_client_readable(struct console *c, int i)
{
    char buf[512];
    ssize_t r;
    int queued = -1;

    pthread_mutex_lock(&c->lock);
    if (c->clients[i] < 0)
        goto out;
    r = recv(c->clients[i], buf, sizeof(buf), MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        client_close(c, i);
        goto out;
    }
    queued = 0;
    if (r > 0) {
        uint32_t room = CON_INPUT_MAX - c->in_len;
        uint32_t k = (uint32_t)r < room ? (uint32_t)r : room;   /* excess input is dropped */
        memcpy(c->in + c->in_len, buf, k);
        c->in_len += k;
        queued = (int)k;
    }
out:
    pthread_mutex_unlock(&c->lock);
    return queued;
}

void console_detach_all(struct console *c)
{
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < CON_MAX_CLIENTS; i++)
        if (c->clients[i] >= 0)
            client_close(c, i);
    pthread_mutex_unlock(&c->lock);
}

void console_fini(struct console *c)
{
    console_detach_all(c);
    if (c->log_fd >= 0)
        close(c->log_fd);
    c->log_fd = -1;
    pthread_mutex_destroy(&c->lock);
}
