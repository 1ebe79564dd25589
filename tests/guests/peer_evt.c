/* SPDX-License-Identifier: MIT */
/*
 * Event channels between two domains (run by tests/integration/stubdom.sh, not by
 * tests/guests/run.sh: it has no expect-shutdown line). Command line:
 *   server peer=D         alloc_unbound for D, print "PORT n", wait for an event,
 *                         answer it, check status and close
 *   client peer=D port=N  bind_interdomain(D, N), send, wait for the answer
 *   attack peer=D         (another tenant) try to reach D: every attempt must fail
 *   server peer=D rounds=N / client peer=D port=P rounds=N
 *                         benchmark: N event round trips after the checks; the
 *                         client prints "EVTCHN RTT median_ns=... rounds=N"
 * Each prints "Test result: SUCCESS" when every check held.
 */
#include "peer_common.h"

static uint64_t rtts[1000];

/* Event channel round trips: send, wait for the answer. Prints the median. */
static void rtt(uint32_t port, uint32_t rounds)
{
    struct xenia_evtchn_port sp = { port, 0 };
    uint32_t n = 0;

    if (rounds > 1000)
        rounds = 1000;
    for (uint32_t i = 0; i < rounds; i++) {
        uint64_t t0 = xenia_now_ns();
        xenia_event_channel_op(XENIA_EVTCHNOP_send, &sp);
        if (!xenia_evtchn_wait(port, 10 * SEC))
            break;
        rtts[n++] = xenia_now_ns() - t0;
    }
    if (n == 0)
        return;
    for (uint32_t i = 1; i < n; i++)       /* insertion sort: n <= 1000 */
        for (uint32_t j = i; j > 0 && rtts[j - 1] > rtts[j]; j--) {
            uint64_t t = rtts[j];
            rtts[j] = rtts[j - 1];
            rtts[j - 1] = t;
        }
    printf("EVTCHN RTT median_ns=%llu rounds=%u\n", (unsigned long long)rtts[n / 2], n);
}

static void server(uint32_t peer)
{
    struct xenia_evtchn_alloc_unbound au = { XENIA_DOMID_SELF, peer, 0, 0 };
    struct xenia_evtchn_status st = { XENIA_DOMID_SELF, 0, 0, 0, 0, 0 };
    struct xenia_evtchn_port sp = { 0, 0 };
    struct xenia_evtchn_alloc_unbound bad = { XENIA_DOMID_SELF, 4000, 0, 0 };

    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_alloc_unbound, &bad), -XENIA_ESRCH,
                "alloc_unbound for a domain that does not exist");
    /* The peer may not exist yet (Xen: the remote domain must exist): retry. */
    long rc;
    uint64_t end = xenia_now_ns() + 60 * SEC;
    while ((rc = xenia_event_channel_op(XENIA_EVTCHNOP_alloc_unbound, &au)) == -XENIA_ESRCH &&
           xenia_now_ns() < end)
        peer_sleep(SEC / 20);
    xt_check_eq(rc, 0, "alloc_unbound");
    printf("PORT %u\n", au.port);
    xenia_console_flush();
    st.port = au.port;
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_status, &st), 0, "status");
    xt_check_eq(st.status, XENIA_EVTCHNSTAT_unbound, "status unbound");
    xt_check_eq(st.remote_dom, peer, "status names the peer");
    sp.port = au.port;
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_send, &sp), -XENIA_ENOTCONN,
                "send on an unbound port");
    if (!xenia_evtchn_wait(au.port, 60 * SEC)) {
        xt_check(0, "no event from the peer within 60 s");
        return;
    }
    puts("GOT EVENT");
    st.port = au.port;
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_status, &st), 0, "status after bind");
    xt_check_eq(st.status, XENIA_EVTCHNSTAT_interdomain, "status interdomain");
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_send, &sp), 0, "answer");
    for (uint64_t i = 0, n = peer_arg("rounds", 0); i < n; i++) {
        if (!xenia_evtchn_wait(au.port, 10 * SEC))
            break;
        xenia_event_channel_op(XENIA_EVTCHNOP_send, &sp);
    }
    peer_sleep(2 * SEC);   /* let the client see the answer before we close */
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_close, &sp), 0, "close");
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_send, &sp), -XENIA_EINVAL,
                "send on a closed port");
}

static void client(uint32_t peer, uint32_t port)
{
    struct xenia_evtchn_bind_interdomain b = { peer, port, 0, 0 };
    struct xenia_evtchn_bind_interdomain b2 = { peer, port + 1, 0, 0 };
    struct xenia_evtchn_port sp = { 0, 0 };
    struct xenia_evtchn_port fixed = { XENIA_PORT_CONSOLE, 0 };

    long rc;
    uint64_t end = xenia_now_ns() + 60 * SEC;

    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_bind_interdomain, &b2), -XENIA_EINVAL,
                "bind a port not allocated for us");
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_close, &fixed), -XENIA_EINVAL,
                "close a fixed port");
    /* The server may not have allocated its port yet: retry. */
    while ((rc = xenia_event_channel_op(XENIA_EVTCHNOP_bind_interdomain, &b)) == -XENIA_EINVAL &&
           xenia_now_ns() < end)
        peer_sleep(SEC / 20);
    xt_check_eq(rc, 0, "bind_interdomain");
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_bind_interdomain, &b), -XENIA_EINVAL,
                "bind the same port twice");
    sp.port = b.local_port;
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_send, &sp), 0, "send");
    if (!xenia_evtchn_wait(b.local_port, 60 * SEC))
        xt_check(0, "no answer from the server within 60 s");
    else
        puts("GOT ANSWER");
    rtt(sp.port, (uint32_t)peer_arg("rounds", 0));
}

/* Another tenant: every way to an event channel of @peer is refused. */
static void attack(uint32_t peer)
{
    struct xenia_evtchn_alloc_unbound au = { XENIA_DOMID_SELF, peer, 0, 0 };
    struct xenia_evtchn_alloc_unbound other = { peer, XENIA_DOMID_SELF, 0, 0 };
    struct xenia_evtchn_status st = { peer, 1, 0, 0, 0, 0 };
    long rc;
    int bound = 0;

    rc = xenia_event_channel_op(XENIA_EVTCHNOP_alloc_unbound, &au);
    xt_check(rc == -XENIA_EACCES, "alloc_unbound towards the other tenant is denied");
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_alloc_unbound, &other), -XENIA_EPERM,
                "alloc_unbound in the other tenant's table");
    xt_check_eq(xenia_event_channel_op(XENIA_EVTCHNOP_status, &st), -XENIA_EPERM,
                "status of the other tenant's port");
    for (uint32_t p = 1; p < 64; p++) {
        struct xenia_evtchn_bind_interdomain b = { peer, p, 0, 0 };
        if (xenia_event_channel_op(XENIA_EVTCHNOP_bind_interdomain, &b) >= 0)
            bound++;
    }
    xt_check_eq(bound, 0, "guessing the other tenant's ports 1..63");
    puts("ATTACK DENIED");
}

int main(void)
{
    uint32_t peer = (uint32_t)peer_arg("peer", 0);

    if (peer_flag("server"))
        server(peer);
    else if (peer_flag("client"))
        client(peer, (uint32_t)peer_arg("port", 0));
    else if (peer_flag("attack"))
        attack(peer);
    else
        xt_check(0, "no role on the command line: %s", xenia_cmdline());
    xt_done();
}
