/* SPDX-License-Identifier: MIT */
/*
 * Console backend of the device-model stub domain (pure: no system calls).
 *
 * Serves the console ring of one guest's I/O window (include/xenia/io.h,
 * Xen public/io/console.h xencons_interface semantics): bytes the guest
 * produced in out[] are moved to a caller buffer, and input bytes are queued
 * into in[]. The guest-written indices (out_prod, in_cons) are read once per
 * call (acquire) and checked before any byte is touched; the backend's own
 * indices (out_cons, in_prod) are kept privately and read from the window
 * only when the backend starts. A ring whose indices are out of range puts
 * the backend into NEEDS_RESET (io.h reset protocol).
 */
#ifndef XENIA_DM_CONSBACK_H
#define XENIA_DM_CONSBACK_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/io.h>

struct consback {
    struct xenia_cons_ring *r;    /* in the window */
    uint32_t state;               /* XENIA_DEV_CONNECTED or XENIA_DEV_NEEDS_RESET */
    uint32_t out_cons;            /* private copy of our consumer index */
    uint32_t in_prod;             /* private copy of our producer index */
    uint64_t out_bytes, in_bytes; /* statistics */
    uint64_t resets;
};

/* Result bits of consback_output() and consback_input(). */
#define CONSBACK_NOTIFY 0x1u  /* raise the guest's console port */
#define CONSBACK_RESET  0x2u  /* the backend is in NEEDS_RESET */

/*
 * consback_init - connect to the console ring at win + XENIA_IOWIN_CONS_OFF
 * (@win 8-byte aligned, @win_bytes >= XENIA_IOWIN_BLK_OFF). Resumes a ring
 * left by a previous backend: out_cons and in_prod are taken from the ring if
 * out_prod - out_cons <= XENIA_CONS_OUT_SIZE and in_prod - in_cons <=
 * XENIA_CONS_IN_SIZE; otherwise (or when the ring is already NEEDS_RESET) the
 * backend starts in NEEDS_RESET. Returns 0 or -XENIA_EINVAL.
 */
int consback_init(struct consback *c, uint8_t *win, size_t win_bytes)
    __attribute__((warn_unused_result));

/*
 * consback_output - move up to @cap bytes of guest output into @buf; stores
 * the count in *@n (0 when idle, reset or corrupt). Asks for a notification
 * when it freed space in a ring that was at least half full (a frontend may
 * be waiting for room). Handles the reset handshake first. Returns
 * CONSBACK_* bits.
 */
unsigned consback_output(struct consback *c, char *buf, size_t cap, size_t *n);

/*
 * consback_input_room - how many input bytes in[] can take now (0 when the
 * ring is full, corrupt or in NEEDS_RESET). Handles the reset handshake; a
 * corrupt in_cons enters NEEDS_RESET. Stores CONSBACK_* bits in *@bits.
 */
size_t consback_input_room(struct consback *c, unsigned *bits);

/*
 * consback_input - queue up to @len bytes of @buf into in[]; stores the count
 * queued in *@n (bounded by the room). Notifies when it queued anything.
 * Returns CONSBACK_* bits.
 */
unsigned consback_input(struct consback *c, const char *buf, size_t len, size_t *n);

#endif /* XENIA_DM_CONSBACK_H */
