/* SPDX-License-Identifier: MIT */
/*
 * Tenant B's attack guest (the demo, tools/demo.sh): tries every means the guest
 * ABI offers to reach another tenant's domain (the victim) and reports each
 * attempt on the console, one machine-parseable line per attack.
 *
 * Command line: victim=<domid> [flood_ms=<ms>] [refs=<n>] [quick] [wild]
 *   flood_ms  length of each flood (default 2000)
 *   refs      victim grant refs tried by the grant attacks (default 512, 64 with quick)
 *   wild      end with a read just past RAM: hv must crash the domain
 *
 * Output (a fixed interface: tools/demo.sh parses it):
 *   attack: <name> tries=<n> allowed=<k> <ERRNAME>=<count> ...
 * where allowed counts calls that returned >= 0 (block attacks: responses with
 * status OKAY to requests that must fail), and the other fields count each
 * error (XENIA_E* without the prefix, or the block status: ERROR, EOPNOTSUPP,
 * TIMEOUT). In order:
 *   gnt-map-rw, gnt-map-ro   map_grant_ref of the victim's refs 0..refs-1
 *                            (host_addr cycles through the 64 grant-map pages)
 *   gnt-copy-from, gnt-copy-to   GNTTABOP_copy from / into each victim ref
 *   evt-bind                 bind_interdomain(victim, remote ports 0..63)
 *   evt-offer                alloc_unbound(self, remote_dom = victim), 16 times
 *   evt-send                 EVTCHNOP_send on each port 1..63 the attacker does not
 *                            own (EVTCHNOP_status closed): ports are per domain
 *   domid-scan               map ref 0 of every domid 0..63 but its own: EACCES
 *                            (exists, denied) or ESRCH (no such domain)
 *   hc-bad-ptr               hypercalls whose pointer lies past RAM, in the
 *                            grant-map area, outside the I/O window, in the
 *                            kernel half, non-canonical, wrapping, or straddling
 *                            the end of RAM: EFAULT / EINVAL
 *   blk-sector, blk-window   block requests beyond the disk / with buffers outside
 *                            the window's data area (raw ring access): ERROR
 *   blk-ring                 req_prod run far ahead (twice): the backend must
 *                            report NEEDS_RESET and work again after a reset;
 *                            allowed counts the tries where it did not:
 *       attack: blk-ring tries=2 allowed=<k> NEEDS_RESET=<n> RECOVERED=<n>
 *                            (without a disk each blk-* line is
 *                            "tries=0 allowed=0 NODISK=1")
 *   attest-flood             50 quotes as fast as possible; exempt from the
 *                            allowed==0 rule, printed as
 *       attack: attest-flood tries=50 ok=<n> limited=<n> [<ERR>=<n>] bound=<b> ms=<t>
 *                            where bound = XENIA_ATTEST_BURST + XENIA_ATTEST_RATE *
 *                            elapsed (rounded up): ok must not exceed it
 *   attack: flood start      (flushed) then two floods of flood_ms each:
 *       attack: flood-allowed calls=<n> per_s=<n>              xen_version
 *       attack: flood-denied calls=<n> per_s=<n> allowed=<k> [<ERR>=<n>]
 *                                                              bind_interdomain(victim, 1)
 *   attack: done allowed=<sum of allowed, attest-flood excluded>
 * then, with `wild`, "attack: wild read beyond RAM" and a read of the byte at
 * ram_bytes (hv crashes the domain; if the read returns, "attack: wild read
 * NOT refused" and a poweroff, which the demo reports as a failure); without
 * it, a poweroff.
 *
 * Between the grant and the event channel attacks it pauses 1.1 s: hv audits
 * at most 100 denials per second (host-wide), and the event channel denials
 * should not all fall into the grant attacks' suppressed second.
 * A call of hc-bad-ptr that is allowed is also named on an "attack-detail:" line;
 * the banner and a usage error are "attacker:" lines (not "attack:").
 *
 * Everything that succeeds by mistake is undone at once (unmap, close), so one
 * hole does not hide the next attempts behind EBUSY or ENOSPC.
 */
#include <xenia/attest_guest.h>
#include <xenia/evtchn.h>
#include <xenia/iofront.h>

#define MS  1000000ull
#define SEC 1000000000ull


/* ------------------------------------------------------------------------- */
/* Tallies and report lines                                                  */
/* ------------------------------------------------------------------------- */

/* Result codes a tally counts: XENIA_E* (1..C_ERROR-1) and the block statuses. */
#define NCODES    128u
#define C_OTHER   0u      /* an error number outside 1..C_ERROR-1 */
#define C_ERROR   120u    /* XENIA_BLK_RSP_ERROR */
#define C_NOTSUPP 121u    /* XENIA_BLK_RSP_EOPNOTSUPP */
#define C_TIMEOUT 122u    /* no response in time */
#define C_BADRSP  123u    /* a status outside the ABI */

struct tally {
    const char *name;
    uint32_t tries, allowed;
    uint32_t n[NCODES];
};

static uint32_t total_allowed;
static uint32_t self_domid, victim;

static const char *code_name(unsigned c)
{
    switch (c) {
    case XENIA_EPERM: return "EPERM";
    case XENIA_ENOENT: return "ENOENT";
    case XENIA_ESRCH: return "ESRCH";
    case XENIA_EINTR: return "EINTR";
    case XENIA_EIO: return "EIO";
    case XENIA_E2BIG: return "E2BIG";
    case XENIA_EBADF: return "EBADF";
    case XENIA_EAGAIN: return "EAGAIN";
    case XENIA_ENOMEM: return "ENOMEM";
    case XENIA_EACCES: return "EACCES";
    case XENIA_EFAULT: return "EFAULT";
    case XENIA_EBUSY: return "EBUSY";
    case XENIA_EEXIST: return "EEXIST";
    case XENIA_EINVAL: return "EINVAL";
    case XENIA_ENOSPC: return "ENOSPC";
    case XENIA_ERANGE: return "ERANGE";
    case XENIA_ENOSYS: return "ENOSYS";
    case XENIA_ENODATA: return "ENODATA";
    case XENIA_ETIME: return "ETIME";
    case XENIA_EPROTO: return "EPROTO";
    case XENIA_EOVERFLOW: return "EOVERFLOW";
    case XENIA_EOPNOTSUPP: return "EOPNOTSUPP";
    case XENIA_ENOTCONN: return "ENOTCONN";
    case XENIA_ESHUTDOWN: return "ESHUTDOWN";
    case XENIA_ETIMEDOUT: return "ETIMEDOUT";
    case C_ERROR: return "ERROR";
    case C_NOTSUPP: return "EOPNOTSUPP";
    case C_TIMEOUT: return "TIMEOUT";
    case C_BADRSP: return "BADSTATUS";
    case C_OTHER: return "EOTHER";
    default: return NULL;
    }
}

/* Count one hypercall result: >= 0 is allowed, else its error number. */
static void count_rc(struct tally *t, long rc)
{
    t->tries++;
    if (rc >= 0)
        t->allowed++;
    else
        t->n[-rc > 0 && -rc < (long)C_ERROR ? (unsigned)-rc : C_OTHER]++;
}

/* " ERR=n" for every code counted, in numeric order. */
static void print_codes(const struct tally *t)
{
    for (unsigned c = 0; c < NCODES; c++) {
        if (t->n[c] == 0)
            continue;
        if (code_name(c) != NULL)
            printf(" %s=%u", code_name(c), t->n[c]);
        else
            printf(" E%u=%u", c, t->n[c]);
    }
}

static void report(const struct tally *t)
{
    printf("attack: %s tries=%u allowed=%u", t->name, t->tries, t->allowed);
    print_codes(t);
    printf("\n");
    xenia_console_flush();
    total_allowed += t->allowed;
}

/* ------------------------------------------------------------------------- */
/* Grant tables                                                              */
/* ------------------------------------------------------------------------- */

static uint8_t gbuf[XENIA_PAGE_SIZE] __attribute__((aligned(4096)));

static void undo_map(const struct xenia_gnttab_map *m)
{
    struct xenia_gnttab_unmap um = { m->handle, 0 };

    (void)xenia_grant_table_op(XENIA_GNTTABOP_unmap_grant_ref, &um);
}

/* map_grant_ref(dom, ref) at grant-map page @slot; returns the result. */
static long map_one(uint32_t dom, uint32_t ref, unsigned slot, int ro)
{
    struct xenia_gnttab_map m = {
        .host_addr = XENIA_GNTMAP_GPA + (uint64_t)(slot % XENIA_GNTMAP_PAGES) * XENIA_PAGE_SIZE,
        .flags = ro ? XENIA_GNTMAP_readonly : 0, .ref = ref, .dom = dom };
    long rc = xenia_grant_table_op(XENIA_GNTTABOP_map_grant_ref, &m);

    if (rc >= 0)
        undo_map(&m);
    return rc;
}

static void gnt_map(const char *name, uint32_t refs, int ro)
{
    struct tally t = { .name = name };

    for (uint32_t i = 0; i < refs; i++)
        count_rc(&t, map_one(victim, i, i, ro));
    report(&t);
}

static void gnt_copy(const char *name, uint32_t refs, int to_grant)
{
    struct tally t = { .name = name };

    for (uint32_t i = 0; i < refs; i++) {
        struct xenia_gnttab_copy c = { .gva = XENIA_GVA(gbuf), .dom = victim, .ref = i,
                                       .offset = 0, .len = XENIA_PAGE_SIZE,
                                       .flags = to_grant ? XENIA_GNTCOPY_to_grant : 0 };
        if (to_grant)
            memset(gbuf, 0x5a, sizeof(gbuf));
        count_rc(&t, xenia_grant_table_op(XENIA_GNTTABOP_copy, &c));
    }
    report(&t);
}

static void domid_scan(void)
{
    struct tally t = { .name = "domid-scan" };

    for (uint32_t d = 0; d < 64; d++)
        if (d != self_domid)
            count_rc(&t, map_one(d, 0, 0, 0));
    report(&t);
}

/* ------------------------------------------------------------------------- */
/* Event channels                                                            */
/* ------------------------------------------------------------------------- */

/*
 * hv audits at most XSM_AUDIT_RATE (100) denials per second, host-wide, and
 * counts the rest as suppressed: after the grant attacks' thousands of denials,
 * wait out the second so that the event channel denials are audited too.
 */
static void audit_gap(void)
{
    uint64_t end = xenia_now_ns() + 1100 * MS;

    while (xenia_now_ns() < end)
        xenia_block(end);
}

static void close_port(uint32_t port)
{
    struct xenia_evtchn_port p = { port, 0 };

    (void)xenia_event_channel_op(XENIA_EVTCHNOP_close, &p);
}

static long bind_victim(uint32_t remote_port)
{
    struct xenia_evtchn_bind_interdomain b = { .remote_dom = victim, .remote_port = remote_port };
    long rc = xenia_event_channel_op(XENIA_EVTCHNOP_bind_interdomain, &b);

    if (rc >= 0)
        close_port(b.local_port);
    return rc;
}

static void evt_bind(void)
{
    struct tally t = { .name = "evt-bind" };

    for (uint32_t p = 0; p < 64; p++)
        count_rc(&t, bind_victim(p));
    report(&t);
}

static void evt_offer(void)
{
    struct tally t = { .name = "evt-offer" };

    for (int i = 0; i < 16; i++) {
        struct xenia_evtchn_alloc_unbound a = { .dom = XENIA_DOMID_SELF, .remote_dom = victim };
        long rc = xenia_event_channel_op(XENIA_EVTCHNOP_alloc_unbound, &a);
        if (rc >= 0)
            close_port(a.port);
        count_rc(&t, rc);
    }
    report(&t);
}

/* Sends on ports that are not ours: hv resolves a port number in the caller's own
 * table only, so no port number names another domain's port. */
static void evt_send(void)
{
    struct tally t = { .name = "evt-send" };

    for (uint32_t p = 1; p < 64; p++) {
        struct xenia_evtchn_status st = { .dom = XENIA_DOMID_SELF, .port = p };
        struct xenia_evtchn_port s = { p, 0 };

        if (xenia_event_channel_op(XENIA_EVTCHNOP_status, &st) < 0 ||
            st.status != XENIA_EVTCHNSTAT_closed)
            continue;   /* ours (fixed or bound): a send there is legitimate */
        count_rc(&t, xenia_event_channel_op(XENIA_EVTCHNOP_send, &s));
    }
    report(&t);
}

/* ------------------------------------------------------------------------- */
/* Hypercalls with pointers the guest does not own                           */
/* ------------------------------------------------------------------------- */

static void hc_bad_ptr(void)
{
    const struct xenia_start_info *si = xenia_start_info();
    const uint64_t ram = si->ram_bytes;
    const uint64_t bad[] = {
        ram,                                            /* first byte past RAM */
        ram + 0x100000,                                 /* well past RAM */
        ram - 4,                                        /* straddles the end of RAM */
        XENIA_GNTMAP_GPA,                               /* grant-map area (nothing mapped) */
        XENIA_GNTMAP_GPA + (XENIA_GNTMAP_PAGES - 1) * XENIA_PAGE_SIZE,
        si->iowin_gpa + si->iowin_bytes,                /* past the I/O window */
        XENIA_IOWIN_GPA - XENIA_PAGE_SIZE,              /* between RAM and the window */
        XENIA_BUILDER_AREA_GPA,                         /* builder area: supervisor only */
        0,                                              /* NULL page */
        0x0000800000000000ull,                          /* first non-canonical address */
        0x8000000000000000ull,                          /* non-canonical */
        0xffff800000000000ull,                          /* kernel half */
        0xffffffff80000000ull,                          /* kernel image address */
        ~0ull - 15,                                     /* wraps */
    };
    struct tally t = { .name = "hc-bad-ptr" };
    static struct xenia_attest_quote q;
    static struct xenia_gnttab_copy cp;
    static struct xenia_gnttab_setup_table su;
    static struct xenia_memory_map mm;

/* One call; an allowed one is named on an "attack-detail:" line (never expected). */
#define BAD(call)                                                                   \
    do {                                                                            \
        long rc_ = (call);                                                          \
        count_rc(&t, rc_);                                                          \
        if (rc_ >= 0)                                                               \
            printf("attack-detail: hc-bad-ptr allowed: %s at %#llx -> %ld\n", #call, \
                   (unsigned long long)a, rc_);                                     \
    } while (0)

    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t a = bad[i];

        /* console_io: a buffer of 64 bytes there (for ram - 4: 4 bytes in RAM). */
        BAD(xenia_console_io(XENIA_CONSOLEIO_write, 64, a));
        BAD(xenia_console_io(XENIA_CONSOLEIO_read, 64, a));
        /* grant and event ops: the argument struct there. */
        BAD(xenia_hypercall3(XENIA_HC_grant_table_op, XENIA_GNTTABOP_map_grant_ref, a, 1));
        BAD(xenia_hypercall3(XENIA_HC_grant_table_op, XENIA_GNTTABOP_copy, a, 1));
        BAD(xenia_hypercall3(XENIA_HC_grant_table_op, XENIA_GNTTABOP_setup_table, a, 1));
        BAD(xenia_hypercall3(XENIA_HC_grant_table_op, XENIA_GNTTABOP_query_size, a, 1));
        BAD(xenia_hypercall3(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_alloc_unbound, a, 0));
        BAD(xenia_hypercall3(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_bind_interdomain, a, 0));
        BAD(xenia_hypercall3(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_send, a, 0));
        BAD(xenia_hypercall3(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_status, a, 0));
        /* OUT structs there. */
        BAD(xenia_xen_version(XENIA_XENVER_extraversion, a));
        BAD(xenia_memory_op(XENIA_XENMEM_memory_map, a));
        BAD(xenia_hypercall3(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, a, 0));
        /* Valid structs whose buffer pointer is bad. */
        cp = (struct xenia_gnttab_copy){ .gva = a, .dom = victim, .ref = 0, .len = 64 };
        BAD(xenia_grant_table_op(XENIA_GNTTABOP_copy, &cp));
        cp.flags = XENIA_GNTCOPY_to_grant;
        BAD(xenia_grant_table_op(XENIA_GNTTABOP_copy, &cp));
        su = (struct xenia_gnttab_setup_table){ .table_gva = a, .nr_frames = 1 };
        BAD(xenia_grant_table_op(XENIA_GNTTABOP_setup_table, &su));
        mm = (struct xenia_memory_map){ .nr_entries = XENIA_MEMMAP_MAX, .buffer = a };
        BAD(xenia_memory_op(XENIA_XENMEM_memory_map, XENIA_GVA(&mm)));
        q = (struct xenia_attest_quote){ .version = XENIA_INTERFACE_VERSION, .buf = a,
                                         .buf_len = 2048 };
        BAD(xenia_attest_op(XENIA_ATTESTOP_quote, &q));
    }
#undef BAD
    report(&t);
}

/* ------------------------------------------------------------------------- */
/* Block device (raw ring access, as tests/guests/blk_hostile.c)             */
/* ------------------------------------------------------------------------- */

static int have_blk;

/* One raw request; its response status counted (OKAY = served = allowed). */
static void blk_one(struct tally *t, uint8_t op, uint32_t len, uint64_t sector, uint64_t buf_off)
{
    struct xenia_blk_request r = { .operation = op, .len = len, .id = 0xa77ac0 + t->tries,
                                   .sector = sector, .buf_off = buf_off };
    struct xenia_blk_response rsp;

    t->tries++;
    if (blk_submit_raw(&r) != 0 || blk_wait_raw(&rsp) != 0) {
        t->n[C_TIMEOUT]++;
        (void)blk_reset_drop();
        return;
    }
    if (rsp.status == XENIA_BLK_RSP_OKAY)
        t->allowed++;
    else if (rsp.status == XENIA_BLK_RSP_ERROR)
        t->n[C_ERROR]++;
    else if (rsp.status == XENIA_BLK_RSP_EOPNOTSUPP)
        t->n[C_NOTSUPP]++;
    else
        t->n[C_BADRSP]++;
}

static void blk_missing(struct tally *t)
{
    printf("attack: %s tries=0 allowed=0 NODISK=1\n", t->name);
    xenia_console_flush();
}

static void blk_sector(void)
{
    struct tally t = { .name = "blk-sector" };
    const uint64_t D = XENIA_IOWIN_DATA_OFF, n = have_blk ? blk_sectors() : 0;
    const uint8_t ops[2] = { XENIA_BLKOP_READ, XENIA_BLKOP_WRITE };

    if (!have_blk) {
        blk_missing(&t);
        return;
    }
    for (unsigned k = 0; k < 2; k++) {
        blk_one(&t, ops[k], 512, n, D);                          /* at the end */
        blk_one(&t, ops[k], 4096, n - 4, D);                     /* straddling the end */
        blk_one(&t, ops[k], 512, n + 1, D);
        blk_one(&t, ops[k], 512, n * 2, D);                      /* where a neighbour's disk might be */
        blk_one(&t, ops[k], 512, 1ull << 32, D);
        blk_one(&t, ops[k], 512, 1ull << 40, D);
        blk_one(&t, ops[k], 512, ~0ull, D);                      /* 2^64 - 1 */
        blk_one(&t, ops[k], 512, (~0ull / 512) + 1, D);          /* byte offset wraps */
        blk_one(&t, ops[k], XENIA_BLK_MAX_LEN, ~0ull - 8, D);    /* sector + len wraps */
    }
    report(&t);
}

static void blk_window_attack(void)
{
    struct tally t = { .name = "blk-window" };
    const uint64_t D = XENIA_IOWIN_DATA_OFF, wb = xenia_start_info()->iowin_bytes;
    const uint8_t ops[2] = { XENIA_BLKOP_READ, XENIA_BLKOP_WRITE };

    if (!have_blk) {
        blk_missing(&t);
        return;
    }
    for (unsigned k = 0; k < 2; k++) {
        blk_one(&t, ops[k], 512, 0, XENIA_IOWIN_CONS_OFF);       /* over the console ring */
        blk_one(&t, ops[k], 512, 0, XENIA_IOWIN_BLK_OFF);        /* over the block ring */
        blk_one(&t, ops[k], 4096, 0, D - 512);                   /* starts below the data area */
        blk_one(&t, ops[k], 1024, 0, wb - 512);                  /* runs past the window */
        blk_one(&t, ops[k], 512, 0, wb);                         /* at the window's end */
        blk_one(&t, ops[k], XENIA_BLK_MAX_LEN, 0, wb - 4096);    /* long, past the end */
        blk_one(&t, ops[k], 512, 0, 1ull << 40);                 /* far outside */
        blk_one(&t, ops[k], 512, 0, XENIA_GNTMAP_GPA);           /* a guest address, not an offset */
        blk_one(&t, ops[k], 512, 0, ~0ull - 100);                /* offset + len wraps */
        blk_one(&t, ops[k], 4096, 0, (uint64_t)0 - 2048);        /* wraps to the data area */
    }
    report(&t);
}

/* Wait (bounded) until the backend reports NEEDS_RESET. */
static int wait_needs_reset(void)
{
    struct xenia_blk_sring *sr = blk_sring();
    uint32_t port = xenia_start_info()->blk_port;
    uint64_t end = xenia_now_ns() + 5 * SEC;

    xenia_evtchn_notify(port);
    while (xenia_now_ns() < end) {
        if (__atomic_load_n(&sr->backend_state, __ATOMIC_ACQUIRE) == XENIA_DEV_NEEDS_RESET)
            return 1;
        (void)xenia_evtchn_test_and_clear(port);
        xenia_block(xenia_now_ns() + 10 * MS);
    }
    return 0;
}

/* The device works: a 4 KiB write and read back at sector 64 of the own disk. */
static int blk_works(uint64_t tag)
{
    static uint8_t b[4096];

    for (unsigned i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)(tag * 131 + i * 7);
    if (blk_write(64, b, sizeof(b)) != 0)
        return 0;
    memset(b, 0, sizeof(b));
    if (blk_read(64, b, sizeof(b)) != 0)
        return 0;
    for (unsigned i = 0; i < sizeof(b); i++)
        if (b[i] != (uint8_t)(tag * 131 + i * 7))
            return 0;
    return 1;
}

static void blk_ring_attack(void)
{
    struct tally t = { .name = "blk-ring" };
    const uint32_t ahead[2] = { 100000u, 0x80000000u };
    uint32_t reset_seen = 0, recovered = 0;

    if (!have_blk) {
        blk_missing(&t);
        return;
    }
    for (unsigned i = 0; i < 2; i++) {
        struct xenia_blk_sring *sr = blk_sring();
        int nr, ok;

        t.tries++;
        __atomic_store_n(&sr->req_prod, sr->rsp_prod + ahead[i], __ATOMIC_RELEASE);
        nr = wait_needs_reset();
        ok = blk_reset_drop() == 0 && blk_works(1000 + i);
        reset_seen += (uint32_t)nr;
        recovered += (uint32_t)ok;
        if (!nr || !ok)
            t.allowed++;
    }
    printf("attack: %s tries=%u allowed=%u NEEDS_RESET=%u RECOVERED=%u\n", t.name, t.tries,
           t.allowed, reset_seen, recovered);
    xenia_console_flush();
    total_allowed += t.allowed;
}

/* ------------------------------------------------------------------------- */
/* Attestation rate limit                                                    */
/* ------------------------------------------------------------------------- */

static void attest_flood(void)
{
    static uint8_t buf[XENIA_CONSOLEIO_MAX];
    struct tally t = { .name = "attest-flood" };
    uint8_t nonce[XENIA_NONCE_LEN];
    uint64_t t0 = xenia_now_ns(), ns, bound;
    uint32_t alen, slen, ok;

    for (unsigned i = 0; i < 50; i++) {
        for (unsigned k = 0; k < sizeof(nonce); k++)
            nonce[k] = (uint8_t)(i * 37 + k);
        count_rc(&t, xenia_attest(XENIA_ATTESTOP_quote, nonce, buf, sizeof(buf), &alen, &slen));
    }
    ns = xenia_now_ns() - t0;
    ok = t.allowed;
    bound = XENIA_ATTEST_BURST + (ns * XENIA_ATTEST_RATE + SEC - 1) / SEC;
    printf("attack: attest-flood tries=%u ok=%u limited=%u", t.tries, ok, t.n[XENIA_EAGAIN]);
    t.n[XENIA_EAGAIN] = 0;
    print_codes(&t);
    printf(" bound=%llu ms=%llu\n", (unsigned long long)bound, (unsigned long long)(ns / MS));
    xenia_console_flush();
}

/* ------------------------------------------------------------------------- */
/* Attacks in order, then the floods (their lines after both)                */
/* ------------------------------------------------------------------------- */

int main(void)
{
    const struct xenia_start_info *si = xenia_start_info();
    uint64_t flood_ns, t0, t1, fa_ns, fd_ns;
    uint32_t refs;
    uint64_t fa_calls = 0, fd_calls = 0;
    struct tally fd = { .name = "flood-denied" };

    self_domid = si->domid;
    victim = (uint32_t)xenia_cmdline_num("victim", 0);
    flood_ns = xenia_cmdline_num("flood_ms", 2000) * MS;
    refs = (uint32_t)xenia_cmdline_num("refs", xenia_cmdline_flag("quick") ? 64 : 512);
    if (victim == 0 || victim == self_domid || victim >= XENIA_DOMID_SELF) {
        printf("attacker: usage: victim=<domid of another domain> [flood_ms=<ms>] [refs=<n>] "
               "[quick] [wild] (got \"%s\")\n", xenia_cmdline());
        xenia_shutdown(XENIA_SHUTDOWN_crash);
    }
    printf("attacker: domain %u attacks domain %u refs=%u flood_ms=%llu\n", self_domid, victim,
           refs, (unsigned long long)(flood_ns / MS));
    xenia_console_flush();

    gnt_map("gnt-map-rw", refs, 0);
    gnt_map("gnt-map-ro", refs, 1);
    gnt_copy("gnt-copy-from", refs, 0);
    gnt_copy("gnt-copy-to", refs, 1);
    audit_gap();
    evt_bind();
    evt_offer();
    evt_send();
    domid_scan();
    hc_bad_ptr();

    blk_set_timeout(10 * SEC);
    have_blk = blk_init() == 0;
    blk_sector();
    blk_window_attack();
    blk_ring_attack();

    attest_flood();

    printf("attack: flood start\n");
    xenia_console_flush();
    t0 = xenia_now_ns();
    do {
        (void)xenia_xen_version(XENIA_XENVER_version, 0);
        fa_calls++;
    } while ((t1 = xenia_now_ns()) - t0 < flood_ns);
    fa_ns = t1 - t0;
    t0 = xenia_now_ns();
    do {
        count_rc(&fd, bind_victim(1));
        fd_calls++;
    } while ((t1 = xenia_now_ns()) - t0 < flood_ns);
    fd_ns = t1 - t0;
    printf("attack: flood-allowed calls=%llu per_s=%llu\n", (unsigned long long)fa_calls,
           (unsigned long long)(fa_calls * SEC / (fa_ns ? fa_ns : 1)));
    printf("attack: flood-denied calls=%llu per_s=%llu allowed=%u", (unsigned long long)fd_calls,
           (unsigned long long)(fd_calls * SEC / (fd_ns ? fd_ns : 1)), fd.allowed);
    print_codes(&fd);
    printf("\n");
    total_allowed += fd.allowed;

    printf("attack: done allowed=%u\n", total_allowed);
    xenia_console_flush();
    if (xenia_cmdline_flag("wild")) {
        volatile uint8_t *p = xenia_gva_ptr(si->ram_bytes);
        uint8_t v;

        printf("attack: wild read beyond RAM\n");
        xenia_console_flush();
        v = *p;
        printf("attack: wild read NOT refused value=%u\n", v);
        xenia_console_flush();
    }
    xenia_shutdown(XENIA_SHUTDOWN_poweroff);
}
