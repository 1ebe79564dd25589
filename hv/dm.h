/* SPDX-License-Identifier: MIT */
/*
 * The device-model stub domain of one domain (stubdoms/dm, IPC in
 * include/xenia/dm.h): hv starts it after building the domain, restarts it
 * when it dies (the I/O window and its rings survive; the guest learns of the
 * new instance from shared->dm_generation), and stops it with the domain.
 * Everything the dm says is untrusted; everything it gets is checked by XSM
 * (stubdom:serve and mmu:map_io of the dm's label on the guest's label).
 */
#ifndef HV_DM_H
#define HV_DM_H

#include <stdint.h>

#include "stubdom.h"
#include "xsm/xsm.h"

#define DM_RESTART_BURST   100      /* restarts allowed within DM_RESTART_WINDOW_NS: a crash
                                     * loop (e.g. a request that kills every dm) stops there */
#define DM_RESTART_WINDOW_NS (10ull * 1000000000ull)

struct dm {
    int kick_fd[2];          /* eventfds the guest's kicks signal (ioeventfd): cons, blk */
    int irq_fd[2];           /* eventfds the dm signals: cons, blk (drained by the vCPU) */
    int ipc_fd;              /* hv end of the SEQPACKET socket, -1 when stopped */
    int cons_fd;             /* hv end of the console stream, -1 when stopped */
    int disk_fd;             /* the domain's disk (domain lifetime), -1 = none */
    uint64_t disk_bytes;
    int disk_ro;
    int ioeventfds;          /* registered with the current VM */
    struct stubdom_proc proc;
    int running;
    int failed;              /* gave up after too many restarts */
    uint32_t generation;
    uint32_t restarts;
    uint64_t burst_start_ns;
    uint32_t burst;
    struct xsm_label label;
    char last_exit[64];
    int ipc_hup;             /* the IPC socket hung up: stop polling it until a restart */
    uint64_t refused;        /* block requests the dm reported refused (domain lifetime) */
    uint64_t refused_unlogged;   /* reported but not yet in hv's log (rate limit) */
    uint64_t refused_win_ns; /* start of the current one-second audit window */
    uint32_t refused_lines;  /* audit lines written in that window */
};

struct domain;

/* dm_init_fds - domain creation: set every fd to -1 and take @disk_fd (or -1). */
void dm_init_fds(struct dm *m, int disk_fd, uint64_t disk_bytes, int readonly);

/*
 * dm_start - label, check (XSM), spawn and configure the dm of @d, whose VM
 * and I/O window exist. Waits (bounded) for the dm's READY. Registers the
 * ioeventfds of the ring ports on first use. Returns 0 or -XENIA_Exxx with a
 * reason in @err; on error nothing is left running.
 */
int dm_start(struct domain *d, char *err, size_t errlen);

/* dm_stop - kill and reap the dm and close its per-instance fds. */
void dm_stop(struct domain *d);

/* dm_fini - domain destroy: dm_stop, then the eventfds and the disk. */
void dm_fini(struct domain *d);

/*
 * dm_ipc_readable - main thread: the dm's IPC socket is readable. Takes one
 * struct xenia_dm_report (include/xenia/dm.h) and writes the audit line
 * "domain N: block: refused K requests ..." to hv's log, at most
 * DM_AUDIT_LINES a second per domain (counts in between are carried into the
 * next line, or written when the dm exits or stops). Anything
 * else from the dm (size, magic, version, kind, pad, count 0) is logged and
 * the dm is killed; its pidfd then restarts it (dm_exited).
 */
void dm_ipc_readable(struct domain *d);

/* dm_exited - main thread: the dm's pidfd is readable. Reap, log, restart. */
void dm_exited(struct domain *d);

/* dm_console_readable - main thread: guest console output from the dm. */
void dm_console_readable(struct domain *d);

/* dm_console_input - main thread: move queued console input to the dm when the
 * guest's console ring is connected. Returns 1 if it did, 0 if the guest uses
 * the hypercall console (then raise XENIA_PORT_CONSOLE instead). */
int dm_console_input(struct domain *d);

/* dm_kick_fd - eventfd that wakes the dm for ring @port, or -1. */
int dm_kick_fd(struct domain *d, uint32_t port);

/* dm_drain_irqs - vCPU thread: turn dm notifications into pending events.
 * Returns the number of ports raised. */
int dm_drain_irqs(struct domain *d);

#endif /* HV_DM_H */
