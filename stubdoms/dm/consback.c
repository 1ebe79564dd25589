/* SPDX-License-Identifier: MIT */
/*
 * Console backend (consback.h): Xen public/io/console.h ring semantics over
 * the console ring of include/xenia/io.h. Pure C: no system calls.
 */
#include <string.h>

#include "consback.h"
#include "ring_access.h"

_Static_assert((XENIA_CONS_IN_SIZE & (XENIA_CONS_IN_SIZE - 1)) == 0, "in size power of two");
_Static_assert((XENIA_CONS_OUT_SIZE & (XENIA_CONS_OUT_SIZE - 1)) == 0, "out size power of two");

/* load_acquire, load_once, store_release: ring_access.h. */

/*@ // The backend's own memory and the ring in the window (proofs/rings).
  @ predicate cons_ok(struct consback *c) =
  @   \valid(c) && \valid(c->r) && \separated(c, c->r) &&
  @   (c->state == XENIA_DEV_CONNECTED || c->state == XENIA_DEV_NEEDS_RESET);
  @*/

/*@ requires cons_ok(c);
  @ assigns c->resets, c->state, c->r->backend_state;
  @ ensures cons_ok(c) && c->state == XENIA_DEV_NEEDS_RESET;
  @ ensures c->r->backend_state == XENIA_DEV_NEEDS_RESET;
  @ ensures \result == CONSBACK_RESET || \result == (CONSBACK_RESET | CONSBACK_NOTIFY);
  @ ensures c->out_cons == \old(c->out_cons) && c->in_prod == \old(c->in_prod);
  @*/
static unsigned enter_reset(struct consback *c)
{
    unsigned bits = CONSBACK_RESET;

    if (c->state != XENIA_DEV_NEEDS_RESET) {
        c->resets++;
        bits |= CONSBACK_NOTIFY;   /* tell the frontend once */
    }
    c->state = XENIA_DEV_NEEDS_RESET;
    store_release(&c->r->backend_state, XENIA_DEV_NEEDS_RESET);
    return bits;
}

/*@ requires \valid(c) && \valid(c->r) && \separated(c, c->r);
  @ assigns c->out_cons, c->in_prod, c->state, c->r->backend_state;
  @ ensures cons_ok(c) && c->state == XENIA_DEV_CONNECTED;
  @ ensures c->r->backend_state == XENIA_DEV_CONNECTED;
  @ ensures c->out_cons == out_cons && c->in_prod == in_prod;
  @*/
static void connect_at(struct consback *c, uint32_t out_cons, uint32_t in_prod)
{
    c->out_cons = out_cons;
    c->in_prod = in_prod;
    c->state = XENIA_DEV_CONNECTED;
    store_release(&c->r->backend_state, XENIA_DEV_CONNECTED);
}

int consback_init(struct consback *c, uint8_t *win, size_t win_bytes)
{
    struct xenia_cons_ring *r;
    uint32_t out_prod, out_cons, in_prod, in_cons;

    if (c == NULL || win == NULL || ((uintptr_t)win & 7u) != 0 ||
        win_bytes < XENIA_IOWIN_CONS_OFF + sizeof(struct xenia_cons_ring))
        return -XENIA_EINVAL;
    memset(c, 0, sizeof(*c));
    r = (struct xenia_cons_ring *)(void *)(win + XENIA_IOWIN_CONS_OFF);
    c->r = r;
    out_prod = load_acquire(&r->out_prod);
    out_cons = load_once(&r->out_cons);
    in_cons = load_acquire(&r->in_cons);
    in_prod = load_once(&r->in_prod);
    if (load_once(&r->backend_state) == XENIA_DEV_NEEDS_RESET ||
        out_prod - out_cons > XENIA_CONS_OUT_SIZE || in_prod - in_cons > XENIA_CONS_IN_SIZE) {
        (void)enter_reset(c);
        return 0;
    }
    connect_at(c, out_cons, in_prod);
    return 0;
}

/*
 * Reset handshake and state check, done at the start of every call.
 * Returns 0 when the ring may be served, else CONSBACK_* bits to return.
 */
/*@ requires cons_ok(c) && \valid(bits) && \separated(bits, c, c->r);
  @ assigns *bits, c->out_cons, c->in_prod, c->state, c->r->backend_state;
  @ ensures cons_ok(c);
  @ ensures \result == 0 || \result == 1;
  @ ensures serve: \result == 0 ==>
  @   c->state == XENIA_DEV_CONNECTED && *bits == 0 &&
  @   c->out_cons == \old(c->out_cons) && c->in_prod == \old(c->in_prod);
  @ ensures reset: \result == 0 <==>
  @   (\old(c->state) == XENIA_DEV_CONNECTED &&
  @    c->r->frontend_state != XENIA_DEV_INITIALISING);
  @*/
static unsigned check_state(struct consback *c, unsigned *bits)
{
    struct xenia_cons_ring *r = c->r;

    *bits = 0;
    if (load_acquire(&r->frontend_state) == XENIA_DEV_INITIALISING) {
        if (load_once(&r->out_prod) != 0 || load_once(&r->out_cons) != 0 ||
            load_once(&r->in_prod) != 0 || load_once(&r->in_cons) != 0) {
            *bits = c->state == XENIA_DEV_NEEDS_RESET ? CONSBACK_RESET : 0;
            return 1;
        }
        if (c->state != XENIA_DEV_CONNECTED || c->out_cons != 0 || c->in_prod != 0 ||
            load_once(&r->backend_state) != XENIA_DEV_CONNECTED)
            *bits = CONSBACK_NOTIFY;
        connect_at(c, 0, 0);
        return 1;   /* nothing to move: every index is 0 */
    }
    if (c->state == XENIA_DEV_NEEDS_RESET) {
        *bits = CONSBACK_RESET;
        return 1;
    }
    return 0;
}

/*@ requires cons_ok(c) && \valid(n) && \valid(buf + (0 .. cap - 1));
  @ requires \separated(n, c, c->r, buf + (0 .. cap - 1));
  @ requires \separated(buf + (0 .. cap - 1), c, c->r);
  @ assigns *n, buf[0 .. cap - 1], c->out_cons, c->in_prod, c->state, c->resets,
  @         c->out_bytes, c->r->out_cons, c->r->backend_state;
  @ ensures cons_ok(c);
  @ ensures bounded: *n <= cap && *n <= XENIA_CONS_OUT_SIZE;
  @ // what it consumed the guest had produced, and at most a ring of it
  @ ensures consumed: *n != 0 ==>
  @   c->state == XENIA_DEV_CONNECTED &&
  @   *n <= (uint32_t)(\old(c->r->out_prod) - \old(c->out_cons)) &&
  @   c->out_cons == (uint32_t)(\old(c->out_cons) + *n) && c->r->out_cons == c->out_cons;
  @ // a producer index more than a ring ahead puts the backend into NEEDS_RESET
  @ ensures corrupt: \old(c->state) == XENIA_DEV_CONNECTED &&
  @   \old(c->r->frontend_state) != XENIA_DEV_INITIALISING &&
  @   (uint32_t)(\old(c->r->out_prod) - \old(c->out_cons)) > XENIA_CONS_OUT_SIZE ==>
  @   *n == 0 && c->state == XENIA_DEV_NEEDS_RESET;
  @*/
unsigned consback_output(struct consback *c, char *buf, size_t cap, size_t *n)
{
    struct xenia_cons_ring *r = c->r;
    uint32_t prod, avail, take;
    unsigned bits;

    *n = 0;
    if (check_state(c, &bits))
        return bits;
    prod = load_acquire(&r->out_prod);
    avail = prod - c->out_cons;
    if (avail > XENIA_CONS_OUT_SIZE)
        return enter_reset(c);
    take = avail < cap ? avail : (uint32_t)cap;
    /*@ loop invariant 0 <= i <= take;
      @ loop assigns i, buf[0 .. cap - 1];
      @ loop variant take - i;
      @*/
    for (uint32_t i = 0; i < take; i++)   /* slot (index % size): an AND, a power of two */
        buf[i] = ((const volatile char *)r->out)[(c->out_cons + i) % XENIA_CONS_OUT_SIZE];
    if (take == 0)
        return 0;
    c->out_cons += take;
    c->out_bytes += take;
    store_release(&r->out_cons, c->out_cons);
    *n = take;
    return avail >= XENIA_CONS_OUT_SIZE / 2 ? CONSBACK_NOTIFY : 0;
}

/*@ requires cons_ok(c) && \valid(bits) && \separated(bits, c, c->r);
  @ assigns *bits, c->out_cons, c->in_prod, c->state, c->resets, c->r->backend_state;
  @ ensures cons_ok(c);
  @ ensures bounded: \result <= XENIA_CONS_IN_SIZE;
  @ ensures room: \result != 0 ==> c->state == XENIA_DEV_CONNECTED &&
  @   \result == XENIA_CONS_IN_SIZE - (uint32_t)(c->in_prod - c->r->in_cons);
  @ ensures corrupt: \old(c->state) == XENIA_DEV_CONNECTED &&
  @   c->r->frontend_state != XENIA_DEV_INITIALISING &&
  @   (uint32_t)(\old(c->in_prod) - c->r->in_cons) > XENIA_CONS_IN_SIZE ==>
  @   \result == 0 && c->state == XENIA_DEV_NEEDS_RESET;
  @*/
size_t consback_input_room(struct consback *c, unsigned *bits)
{
    struct xenia_cons_ring *r = c->r;
    uint32_t used;

    if (check_state(c, bits))
        return 0;
    used = c->in_prod - load_acquire(&r->in_cons);
    if (used > XENIA_CONS_IN_SIZE) {
        *bits = enter_reset(c);
        return 0;
    }
    return XENIA_CONS_IN_SIZE - used;
}

/*@ requires cons_ok(c) && \valid(n) && \valid_read(buf + (0 .. len - 1));
  @ requires \separated(n, c, c->r, buf + (0 .. len - 1));
  @ requires \separated(buf + (0 .. len - 1), c, c->r);
  @ assigns *n, c->r->in[0 .. XENIA_CONS_IN_SIZE - 1], c->out_cons, c->in_prod, c->state,
  @         c->resets, c->in_bytes, c->r->in_prod, c->r->backend_state;
  @ ensures cons_ok(c);
  @ ensures bounded: *n <= len && *n <= XENIA_CONS_IN_SIZE;
  @ // what it queued fitted in the room the guest had left
  @ ensures queued: *n != 0 ==>
  @   c->state == XENIA_DEV_CONNECTED &&
  @   (uint32_t)(\old(c->in_prod) - c->r->in_cons) + *n <= XENIA_CONS_IN_SIZE &&
  @   c->in_prod == (uint32_t)(\old(c->in_prod) + *n) && c->r->in_prod == c->in_prod;
  @ ensures corrupt: \old(c->state) == XENIA_DEV_CONNECTED &&
  @   c->r->frontend_state != XENIA_DEV_INITIALISING &&
  @   (uint32_t)(\old(c->in_prod) - c->r->in_cons) > XENIA_CONS_IN_SIZE ==>
  @   *n == 0 && c->state == XENIA_DEV_NEEDS_RESET;
  @*/
unsigned consback_input(struct consback *c, const char *buf, size_t len, size_t *n)
{
    struct xenia_cons_ring *r = c->r;
    uint32_t used, room, put;
    unsigned bits;

    *n = 0;
    if (check_state(c, &bits))
        return bits;
    used = c->in_prod - load_acquire(&r->in_cons);
    if (used > XENIA_CONS_IN_SIZE)
        return enter_reset(c);
    room = XENIA_CONS_IN_SIZE - used;
    put = len < room ? (uint32_t)len : room;
    /*@ loop invariant 0 <= i <= put;
      @ loop assigns i, r->in[0 .. XENIA_CONS_IN_SIZE - 1];
      @ loop variant put - i;
      @*/
    for (uint32_t i = 0; i < put; i++)   /* slot (index % size): an AND, a power of two */
        r->in[(c->in_prod + i) % XENIA_CONS_IN_SIZE] = buf[i];
    if (put == 0)
        return 0;
    c->in_prod += put;
    c->in_bytes += put;
    store_release(&r->in_prod, c->in_prod);
    *n = put;
    return CONSBACK_NOTIFY;
}
