/* SPDX-License-Identifier: MIT */
/*
 * Domain consoles: output goes to a per-domain log file, a backlog ring and
 * every attached client; input from clients is queued for CONSOLEIO_read.
 * Clients are SOCK_STREAM sockets handed out by the CONSOLE control op.
 * (This is the part that moves into the console stub domain later.)
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define CON_MAX_CLIENTS 4
#define CON_BACKLOG     16384u
#define CON_INPUT_MAX   4096u
#define CON_LOG_MAX     (16u << 20)   /* bytes a domain may write to its log file */

struct console {
    pthread_mutex_t lock;
    int log_fd;
    char log_path[512];
    char backlog[CON_BACKLOG];
    size_t bl_head, bl_len;          /* ring: oldest byte at (bl_head - bl_len) */
    int clients[CON_MAX_CLIENTS];    /* our end of each attached socket, -1 if free */
    char in[CON_INPUT_MAX];
    uint32_t in_len;
    uint64_t out_bytes, dropped_bytes;
    uint64_t log_bytes;              /* written to the log file; capped at CON_LOG_MAX */
    int at_line_start;
};

/* console_init - open <dir>/<name>.log (appending). Returns 0 or -errno. */
int console_init(struct console *c, const char *dir, const char *name);

/* console_output - guest output: log, backlog, clients (non-blocking; bytes
 * a slow client cannot take are dropped for that client and counted). The log
 * file takes at most CON_LOG_MAX bytes per domain (a guest cannot fill the
 * host's disk, cf. xenconsoled's rate limit); clients still see everything. */
void console_output(struct console *c, const char *buf, size_t n);

/* console_note - an hv line ("[xenia-hv] ...") into the same streams. */
void console_note(struct console *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* console_take_input - move up to @n queued input bytes into @buf; returns count. */
uint32_t console_take_input(struct console *c, char *buf, uint32_t n);

/* console_attach - new client: returns the peer fd for the requester (>= 0)
 * after queueing the backlog to it, or -errno (-EBUSY when all slots are used). */
int console_attach(struct console *c);

/* console_client_readable - main thread: client slot @i has data or hung up.
 * Returns the number of input bytes queued (>= 0), or -1 if the client hung up
 * and its slot was freed. Input beyond CON_INPUT_MAX queued bytes is dropped. */
int console_client_readable(struct console *c, int i);

/* console_detach_all / console_fini - close clients / close everything. */
void console_detach_all(struct console *c);
void console_fini(struct console *c);

#endif /* HV_CONSOLE_H */
