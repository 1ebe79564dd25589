/* SPDX-License-Identifier: MIT */
/*
 * Console frontend (iofront.h) over the console ring of the I/O window
 * (include/xenia/io.h; Xen public/io/console.h xencons_interface). The guest
 * produces out[] and consumes in[]; the indices the backend writes (out_cons,
 * in_prod) are checked before use: nonsense resets the ring.
 */
#include <xenia/iofront.h>

#define MS       1000000ull
#define SLICE_NS (100 * MS)
#define TIMEOUT_NS (10000 * MS)

static struct {
    struct xenia_cons_ring *r;
    uint32_t port;
    uint32_t generation;
} C;

static inline uint32_t load_acquire(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void cons_kick(void)
{
    xenia_evtchn_notify(C.port);
}

/* Wait for an event on our port (or any other), at most until `end`; re-kick
 * on a new dm generation or a slice without events. */
static void cons_wait(uint64_t end)
{
    uint64_t now = xenia_now_ns(), dl = now + SLICE_NS;
    uint32_t gen = xenia_shared()->dm_generation;

    if (gen != C.generation) {
        C.generation = gen;
        cons_kick();
    }
    if (dl > end)
        dl = end;
    if (xenia_block(dl) == -XENIA_ETIME)
        cons_kick();
}

/* io.h reset handshake on the console ring. 0 or -XENIA_ETIMEDOUT. */
static int cons_reset(void)
{
    struct xenia_cons_ring *r = C.r;
    uint64_t end = xenia_now_ns() + TIMEOUT_NS;

    for (;;) {
        uint64_t slice_end;

        store_release(&r->frontend_state, XENIA_DEV_INITIALISING);
        r->out_prod = r->out_cons = r->in_prod = r->in_cons = 0;
        store_release(&r->backend_state, XENIA_DEV_UNKNOWN);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        cons_kick();
        slice_end = xenia_now_ns() + SLICE_NS;
        while (xenia_now_ns() < slice_end) {
            (void)xenia_evtchn_test_and_clear(C.port);
            if (load_acquire(&r->backend_state) == XENIA_DEV_CONNECTED && r->out_cons == 0 &&
                r->in_prod == 0) {
                store_release(&r->frontend_state, XENIA_DEV_CONNECTED);
                return 0;
            }
            (void)xenia_block(slice_end);
        }
        if (xenia_now_ns() >= end)
            return -XENIA_ETIMEDOUT;
    }
}

/* Reset when the backend asks for it or its indices make no sense. */
static int cons_check(void)
{
    struct xenia_cons_ring *r = C.r;

    if (load_acquire(&r->backend_state) == XENIA_DEV_NEEDS_RESET ||
        r->out_prod - load_acquire(&r->out_cons) > XENIA_CONS_OUT_SIZE ||
        load_acquire(&r->in_prod) - r->in_cons > XENIA_CONS_IN_SIZE)
        return cons_reset();
    return 0;
}

int cons_init(void)
{
    const struct xenia_start_info *si = xenia_start_info();

    if (si == NULL || si->iowin_gpa == 0 || si->iowin_bytes < XENIA_IOWIN_BLK_OFF ||
        si->cons_ring_port == 0 || si->cons_ring_port >= XENIA_NR_EVENT_PORTS)
        return -XENIA_ENOENT;
    C.r = xenia_gva_ptr(si->iowin_gpa + XENIA_IOWIN_CONS_OFF);
    C.port = si->cons_ring_port;
    C.generation = xenia_shared()->dm_generation;
    xenia_evtchn_unmask(C.port);
    if (C.r->frontend_state != XENIA_DEV_CONNECTED)
        store_release(&C.r->frontend_state, XENIA_DEV_CONNECTED);
    return cons_check();
}

long cons_write(const void *buf, size_t len)
{
    struct xenia_cons_ring *r = C.r;
    const char *p = buf;
    size_t done = 0;
    uint64_t end = xenia_now_ns() + TIMEOUT_NS;

    if (r == NULL)
        return -XENIA_ENOENT;
    while (done < len) {
        uint32_t prod, used, room, n;

        (void)xenia_evtchn_test_and_clear(C.port);
        if (cons_check() < 0)
            return -XENIA_ETIMEDOUT;
        prod = r->out_prod;
        used = prod - load_acquire(&r->out_cons);
        room = XENIA_CONS_OUT_SIZE - used;
        if (room == 0) {
            if (xenia_now_ns() >= end)
                return -XENIA_ETIMEDOUT;
            cons_kick();
            cons_wait(end);
            continue;
        }
        n = len - done < room ? (uint32_t)(len - done) : room;
        for (uint32_t i = 0; i < n; i++)
            r->out[(prod + i) & (XENIA_CONS_OUT_SIZE - 1)] = p[done + i];
        store_release(&r->out_prod, prod + n);
        done += n;
        cons_kick();
    }
    return (long)len;
}

long cons_read(void *buf, size_t len)
{
    struct xenia_cons_ring *r = C.r;
    char *p = buf;
    uint32_t cons, avail, n;

    if (r == NULL)
        return -XENIA_ENOENT;
    if (cons_check() < 0)
        return -XENIA_ETIMEDOUT;
    cons = r->in_cons;
    avail = load_acquire(&r->in_prod) - cons;
    n = avail < len ? avail : (uint32_t)len;
    for (uint32_t i = 0; i < n; i++)
        p[i] = ((volatile char *)r->in)[(cons + i) & (XENIA_CONS_IN_SIZE - 1)];
    if (n > 0) {
        store_release(&r->in_cons, cons + n);
        cons_kick();   /* the backend may hold more input for lack of room */
    }
    return n;
}

long cons_read_wait(void *buf, size_t len, uint64_t deadline_ns)
{
    for (;;) {
        long n;

        (void)xenia_evtchn_test_and_clear(C.port);
        n = cons_read(buf, len);
        if (n != 0 || len == 0)
            return n;
        if (xenia_now_ns() >= deadline_ns)
            return 0;
        cons_wait(deadline_ns);
    }
}
