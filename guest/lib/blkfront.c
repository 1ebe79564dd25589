/* SPDX-License-Identifier: MIT */
/*
 * Block frontend (iofront.h) over the block ring of the I/O window
 * (include/xenia/io.h; Xen public/io/blkif.h and ring.h semantics).
 *
 * The frontend keeps a private copy ("shadow") of every outstanding request,
 * indexed like the ring, so that after a ring reset it can resubmit them,
 * and so that responses are matched against the ids it sent. Responses are
 * read from the window once (copied), then used.
 */
#include <xenia/iofront.h>

#define RING      XENIA_BLK_RING_SIZE
#define MASK      (RING - 1u)
#define MS        1000000ull
#define SLICE_NS  (100 * MS)            /* re-kick after this long without progress */
#define DEFAULT_TIMEOUT_NS (30000 * MS)
#define BOUNCE_OFF XENIA_IOWIN_DATA_OFF /* bounce buffer: XENIA_BLK_MAX_LEN bytes */
#define BUFS_OFF  (XENIA_IOWIN_DATA_OFF + XENIA_BLK_MAX_LEN)

struct shadow {
    struct xenia_blk_request req;
    int cookie;        /* index into the caller's blk_io array, or -1 (raw) */
};

static struct {
    int ready;
    struct xenia_blk_sring *sr;
    uint8_t *win;
    uint64_t win_bytes;
    uint32_t port;
    uint32_t req_prod_pvt, rsp_cons;
    uint32_t generation;
    uint64_t sectors;
    uint32_t features;
    uint64_t next_id;
    uint64_t buf_next;
    uint64_t timeout_ns;
    struct shadow shadow[RING];
    struct blk_stats st;
} B;

static inline uint32_t load_acquire(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void store_once(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void full_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void kick(void)
{
    B.st.kicks++;
    xenia_evtchn_notify(B.port);
}

/* Has the device model been restarted since we last looked? Re-kick then. */
static void check_generation(void)
{
    uint32_t gen = xenia_shared()->dm_generation;

    if (gen != B.generation) {
        B.generation = gen;
        B.st.generations++;
        kick();
    }
}

/* Block until an event or the end of the current slice (bounded by `end`). */
static void wait_slice(uint64_t end)
{
    uint64_t now = xenia_now_ns(), dl = now + SLICE_NS;

    if (dl > end)
        dl = end;
    B.st.blocks++;
    if (xenia_block(dl) == -XENIA_ETIME && xenia_now_ns() < end) {
        /* No event for a whole slice: the kick may have been lost to a dm
         * restart. Kicking again is harmless. */
        B.st.rekicks++;
        kick();
    }
}

/* RING_PUSH_REQUESTS_AND_CHECK_NOTIFY (public/io/ring.h). */
static void push_requests(void)
{
    struct xenia_blk_sring *sr = B.sr;
    uint32_t old = sr->req_prod, new = B.req_prod_pvt;

    store_release(&sr->req_prod, new);
    full_barrier();
    if ((uint32_t)(new - sr->req_event) < (uint32_t)(new - old))
        kick();
}

/*
 * The reset handshake (io.h): zero every index and the backend's state, say
 * INITIALISING, kick, and wait for CONNECTED; retried per slice, because a
 * backend in the middle of a pass may write an index after we zeroed it.
 */
static int reset_handshake(void)
{
    struct xenia_blk_sring *sr = B.sr;
    uint64_t end = xenia_now_ns() + B.timeout_ns;

    for (;;) {
        uint64_t slice_end;

        store_once(&sr->frontend_state, XENIA_DEV_INITIALISING);
        full_barrier();
        store_once(&sr->req_prod, 0);
        store_once(&sr->req_event, 0);
        store_once(&sr->rsp_prod, 0);
        store_once(&sr->rsp_event, 0);
        store_release(&sr->backend_state, XENIA_DEV_UNKNOWN);
        full_barrier();
        kick();
        slice_end = xenia_now_ns() + SLICE_NS;
        for (;;) {
            (void)xenia_evtchn_test_and_clear(B.port);
            if (load_acquire(&sr->backend_state) == XENIA_DEV_CONNECTED &&
                load_acquire(&sr->req_prod) == 0 && load_acquire(&sr->rsp_prod) == 0)
                goto connected;
            if (xenia_now_ns() >= slice_end)
                break;
            B.st.blocks++;
            (void)xenia_block(slice_end);
        }
        check_generation();
        if (xenia_now_ns() >= end)
            return -XENIA_ETIMEDOUT;
    }
connected:
    B.req_prod_pvt = B.rsp_cons = 0;
    B.sectors = sr->sectors;
    B.features = sr->features;
    store_once(&sr->rsp_event, 1);
    store_release(&sr->frontend_state, XENIA_DEV_CONNECTED);
    B.st.resets++;
    return 0;
}

/* Reset, then put the saved outstanding requests back on the ring. */
static int reset_and_resubmit(int resubmit)
{
    static struct shadow saved[RING];
    uint32_t n = B.req_prod_pvt - B.rsp_cons;
    int rc;

    if (n > RING)
        n = 0;
    for (uint32_t i = 0; i < n; i++)
        saved[i] = B.shadow[(B.rsp_cons + i) & MASK];
    rc = reset_handshake();
    if (rc < 0)
        return rc;
    if (!resubmit)
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx = B.req_prod_pvt++;
        B.shadow[idx & MASK] = saved[i];
        B.sr->req[idx & MASK] = saved[i].req;
        B.st.resubmits++;
    }
    if (n > 0)
        push_requests();
    return 0;
}

/*
 * Wait until at least one response is available (rsp_prod != rsp_cons),
 * handling NEEDS_RESET, a response index that makes no sense (reset), new
 * dm generations and lost kicks. 0 or -XENIA_ETIMEDOUT.
 */
static int wait_for_response(void)
{
    struct xenia_blk_sring *sr = B.sr;
    uint64_t end = xenia_now_ns() + B.timeout_ns;

    for (;;) {
        uint32_t rp;

        (void)xenia_evtchn_test_and_clear(B.port);
        if (load_acquire(&sr->backend_state) == XENIA_DEV_NEEDS_RESET) {
            int rc = reset_and_resubmit(1);
            if (rc < 0)
                return rc;
            continue;
        }
        rp = load_acquire(&sr->rsp_prod);
        if (rp - B.rsp_cons > B.req_prod_pvt - B.rsp_cons) {
            /* More responses than requests: the backend is broken. */
            int rc = reset_and_resubmit(1);
            if (rc < 0)
                return rc;
            continue;
        }
        if (rp != B.rsp_cons)
            return 0;
        /* RING_FINAL_CHECK_FOR_RESPONSES. */
        store_once(&sr->rsp_event, B.rsp_cons + 1);
        full_barrier();
        if (load_acquire(&sr->rsp_prod) != B.rsp_cons)
            continue;
        check_generation();
        if (xenia_now_ns() >= end)
            return -XENIA_ETIMEDOUT;
        wait_slice(end);
    }
}

/* Take the response at rsp_cons (one is available). Returns its shadow's
 * cookie; *out gets the response (status ERROR if the id did not match). */
static int take_response(struct xenia_blk_response *out)
{
    struct shadow *sh = &B.shadow[B.rsp_cons & MASK];
    const volatile struct xenia_blk_response *src = &B.sr->rsp[B.rsp_cons & MASK];

    out->id = src->id;
    out->operation = src->operation;
    out->status = src->status;
    out->pad0[0] = out->pad0[1] = out->pad0[2] = 0;
    out->pad1[0] = out->pad1[1] = 0;
    B.rsp_cons++;
    if (sh->cookie >= 0 && out->id != sh->req.id) {
        B.st.bad_rsp++;
        out->status = XENIA_BLK_RSP_ERROR;
    }
    return sh->cookie;
}

/* Queue a request (ring has room). */
static void queue(const struct xenia_blk_request *req, int cookie)
{
    uint32_t idx = B.req_prod_pvt++;

    B.shadow[idx & MASK].req = *req;
    B.shadow[idx & MASK].cookie = cookie;
    B.sr->req[idx & MASK] = *req;
    B.st.requests++;
}

int blk_init(void)
{
    const struct xenia_start_info *si = xenia_start_info();
    uint64_t timeout = B.timeout_ns;   /* a blk_set_timeout before blk_init bounds it too */
    int rc;

    if (si == NULL || si->iowin_gpa == 0 || si->iowin_bytes < XENIA_IOWIN_DATA_OFF + XENIA_BLK_MAX_LEN ||
        si->blk_port == 0 || si->blk_port >= XENIA_NR_EVENT_PORTS)
        return -XENIA_ENOENT;
    memset(&B, 0, sizeof(B));
    B.win = xenia_gva_ptr(si->iowin_gpa);
    B.win_bytes = si->iowin_bytes;
    B.sr = (struct xenia_blk_sring *)(void *)(B.win + XENIA_IOWIN_BLK_OFF);
    B.port = si->blk_port;
    B.timeout_ns = timeout != 0 ? timeout : DEFAULT_TIMEOUT_NS;
    B.next_id = 1;
    B.buf_next = BUFS_OFF;
    B.generation = xenia_shared()->dm_generation;
    xenia_evtchn_unmask(B.port);
    rc = reset_handshake();
    if (rc < 0)
        return rc;
    if (B.sectors == 0)
        return -XENIA_ENOENT;
    B.ready = 1;
    return 0;
}

uint64_t blk_sectors(void)
{
    return B.sectors;
}

uint32_t blk_features(void)
{
    return B.features;
}

void blk_set_timeout(uint64_t ns)
{
    B.timeout_ns = ns != 0 ? ns : DEFAULT_TIMEOUT_NS;
}

static int status_to_errno(int32_t status)
{
    switch (status) {
    case XENIA_BLK_RSP_OKAY:
        return 0;
    case XENIA_BLK_RSP_EOPNOTSUPP:
        return -XENIA_EOPNOTSUPP;
    default:
        return -XENIA_EIO;
    }
}

int blk_rw_many(struct blk_io *ios, unsigned n, unsigned depth)
{
    unsigned next = 0, done = 0;
    int failed = 0;

    if (!B.ready)
        return -XENIA_ENOENT;
    if (depth == 0 || depth > RING)
        depth = RING;
    /* Requests still outstanding from the raw interface are not ours. */
    if (B.req_prod_pvt != B.rsp_cons)
        return -XENIA_EAGAIN;
    while (done < n) {
        int queued = 0;
        int rc;

        while (next < n && B.req_prod_pvt - B.rsp_cons < depth) {
            struct xenia_blk_request req;

            memset(&req, 0, sizeof(req));
            req.operation = ios[next].op;
            req.len = ios[next].len;
            req.id = B.next_id++;
            req.sector = ios[next].sector;
            req.buf_off = ios[next].buf != NULL ? (uint64_t)((uint8_t *)ios[next].buf - B.win) : 0;
            queue(&req, (int)next);
            next++;
            queued = 1;
        }
        if (queued)
            push_requests();
        rc = wait_for_response();
        if (rc < 0)
            return rc;
        while (B.rsp_cons != load_acquire(&B.sr->rsp_prod)) {
            struct xenia_blk_response rsp;
            int cookie = take_response(&rsp);

            if (cookie < 0 || (unsigned)cookie >= n)
                continue;
            ios[cookie].status = rsp.status;
            if (rsp.status != XENIA_BLK_RSP_OKAY)
                failed = 1;
            done++;
        }
    }
    return failed ? -XENIA_EIO : 0;
}

/* One synchronous request through the bounce buffer. */
static int one(uint8_t op, uint64_t sector, uint32_t len)
{
    struct blk_io io = { .op = op, .len = len, .sector = sector,
                         .buf = op == XENIA_BLKOP_FLUSH ? NULL : B.win + BOUNCE_OFF, .status = 0 };
    int rc = blk_rw_many(&io, 1, 1);

    if (rc == -XENIA_EIO)
        return status_to_errno(io.status);
    return rc;
}

int blk_read(uint64_t sector, void *buf, size_t len)
{
    uint8_t *p = buf;

    if (len % XENIA_BLK_SECTOR != 0)
        return -XENIA_EINVAL;
    while (len > 0) {
        uint32_t n = len > XENIA_BLK_MAX_LEN ? XENIA_BLK_MAX_LEN : (uint32_t)len;
        int rc = one(XENIA_BLKOP_READ, sector, n);
        if (rc < 0)
            return rc;
        memcpy(p, B.win + BOUNCE_OFF, n);
        p += n;
        len -= n;
        sector += n / XENIA_BLK_SECTOR;
    }
    return 0;
}

int blk_write(uint64_t sector, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (len % XENIA_BLK_SECTOR != 0)
        return -XENIA_EINVAL;
    while (len > 0) {
        uint32_t n = len > XENIA_BLK_MAX_LEN ? XENIA_BLK_MAX_LEN : (uint32_t)len;
        int rc;

        if (!B.ready)
            return -XENIA_ENOENT;
        memcpy(B.win + BOUNCE_OFF, p, n);
        rc = one(XENIA_BLKOP_WRITE, sector, n);
        if (rc < 0)
            return rc;
        p += n;
        len -= n;
        sector += n / XENIA_BLK_SECTOR;
    }
    return 0;
}

int blk_flush(void)
{
    return one(XENIA_BLKOP_FLUSH, 0, 0);
}

void *blk_buf_alloc(size_t len)
{
    uint64_t start = B.buf_next, sz = (len + 4095u) & ~4095ull;

    if (!B.ready || len == 0 || sz > B.win_bytes || start > B.win_bytes - sz)
        return NULL;
    B.buf_next = start + sz;
    return B.win + start;
}

void blk_buf_free_all(void)
{
    B.buf_next = BUFS_OFF;
}

struct xenia_blk_sring *blk_sring(void)
{
    return B.sr;
}

uint8_t *blk_window(void)
{
    return B.win;
}

int blk_submit_raw(const struct xenia_blk_request *req)
{
    if (!B.ready)
        return -XENIA_ENOENT;
    if (B.req_prod_pvt - B.rsp_cons >= RING)
        return -XENIA_EAGAIN;
    queue(req, -1);
    push_requests();
    return 0;
}

int blk_wait_raw(struct xenia_blk_response *rsp)
{
    int rc;

    if (!B.ready)
        return -XENIA_ENOENT;
    if (B.req_prod_pvt == B.rsp_cons)
        return -XENIA_ENODATA;
    rc = wait_for_response();
    if (rc < 0)
        return rc;
    (void)take_response(rsp);
    return 0;
}

unsigned blk_outstanding(void)
{
    return B.req_prod_pvt - B.rsp_cons;
}

int blk_reset(void)
{
    return B.sr != NULL ? reset_and_resubmit(1) : -XENIA_ENOENT;
}

int blk_reset_drop(void)
{
    return B.sr != NULL ? reset_and_resubmit(0) : -XENIA_ENOENT;
}

void blk_get_stats(struct blk_stats *out)
{
    *out = B.st;
}
