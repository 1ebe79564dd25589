/* SPDX-License-Identifier: MIT */
/* Event channels between live domains (see evtchn.h). */
#include "evtchn.h"

#include <pthread.h>
#include <unistd.h>

#include <xenia/abi.h>
#include <xenia/start_info.h>

#include "domain.h"
#include "log.h"

/* Wake the other end of one of @d's ports. Caller holds table_lock. */
static int64_t send_locked(struct domain *d, uint32_t port)
{
    const struct evtchn *e = evtchn_table_get(&d->evt, port);
    struct domain *r;
    uint64_t one = 1;

    if (e == NULL || e->state == ECS_FREE)
        return -XENIA_EINVAL;
    switch (e->state) {
    case ECS_INTERDOMAIN:
        r = domain_peer(d->hv, e->remote_dom);
        if (r == NULL)
            return -XENIA_ENOTCONN;
        if (xsm_evtchn_send(XSM_HOOK, &d->label, &r->label) < 0)
            return -XENIA_EACCES;
        domain_raise_event(r, e->remote_port);
        return 0;
    case ECS_STUBDOM: {
        int fd = dm_kick_fd(d, port);
        if (fd < 0)
            return -XENIA_ENOTCONN;
        if (write(fd, &one, sizeof(one)) < 0) { /* counter saturated: already pending */ }
        return 0;
    }
    case ECS_VIRQ:
        return -XENIA_EINVAL;      /* hv raises these; a guest cannot send on them */
    default:
        return -XENIA_ENOTCONN;    /* unbound */
    }
}

static int64_t alloc_unbound(struct domain *d, struct xenia_evtchn_alloc_unbound *a)
{
    struct domain *r;
    int port;

    if (a->dom != XENIA_DOMID_SELF && a->dom != d->domid)
        return -XENIA_EPERM;        /* Xen: only a privileged caller allocates for others */
    r = domain_peer(d->hv, a->remote_dom);
    if (r == NULL)
        return -XENIA_ESRCH;
    if (xsm_evtchn_unbound(XSM_TARGET, &d->label, &r->label) < 0)
        return -XENIA_EACCES;
    port = evtchn_table_alloc(&d->evt, r->domid);
    if (port < 0)
        return port;
    a->port = (uint32_t)port;
    return 0;
}

static int64_t bind_interdomain(struct domain *d, struct xenia_evtchn_bind_interdomain *a)
{
    struct domain *r = domain_peer(d->hv, a->remote_dom);
    int port;

    if (r == NULL || r == d)
        return r == d ? -XENIA_EINVAL : -XENIA_ESRCH;
    /* XSM before the remote port is looked at (stricter than Xen, which checks
     * the port first): a domain the policy keeps apart learns nothing about the
     * other's ports, and every attempt is audited. */
    if (xsm_evtchn_interdomain(XSM_HOOK, &d->label, &r->label) < 0)
        return -XENIA_EACCES;
    if (evtchn_table_bindable(&r->evt, a->remote_port, d->domid) < 0)
        return -XENIA_EINVAL;
    port = evtchn_table_alloc(&d->evt, r->domid);
    if (port < 0)
        return port;
    d->evt.port[port].state = ECS_INTERDOMAIN;
    d->evt.port[port].remote_port = a->remote_port;
    r->evt.port[a->remote_port].state = ECS_INTERDOMAIN;
    r->evt.port[a->remote_port].remote_dom = d->domid;
    r->evt.port[a->remote_port].remote_port = (uint32_t)port;
    a->local_port = (uint32_t)port;
    return 0;
}

/* Close one dynamic port of @d; the peer's end goes back to unbound for @d. */
static void close_port(struct domain *d, uint32_t port)
{
    struct evtchn *e = &d->evt.port[port];

    if (e->state == ECS_INTERDOMAIN) {
        struct domain *r = domain_peer(d->hv, e->remote_dom);
        if (r && e->remote_port < XENIA_EVTCHN_PORTS) {
            struct evtchn *re = &r->evt.port[e->remote_port];
            if (re->state == ECS_INTERDOMAIN && re->remote_dom == d->domid &&
                re->remote_port == port) {
                re->state = ECS_UNBOUND;
                re->remote_port = 0;
            }
        }
    }
    e->state = ECS_FREE;
    e->remote_dom = e->remote_port = 0;
}

int64_t evtchn_op(struct domain *d, uint32_t cmd, void *arg)
{
    struct hv *hv = d->hv;
    int64_t rc;

    pthread_mutex_lock(&hv->table_lock);
    switch (cmd) {
    case XENIA_EVTCHNOP_alloc_unbound:
        rc = alloc_unbound(d, arg);
        break;
    case XENIA_EVTCHNOP_bind_interdomain:
        rc = bind_interdomain(d, arg);
        break;
    case XENIA_EVTCHNOP_send:
        rc = send_locked(d, ((struct xenia_evtchn_port *)arg)->port);
        break;
    case XENIA_EVTCHNOP_status: {
        struct xenia_evtchn_status *st = arg;
        if (st->dom != XENIA_DOMID_SELF && st->dom != d->domid) {
            rc = -XENIA_EPERM;
            break;
        }
        if (xsm_evtchn_status(XSM_TARGET, &d->label, &d->label) < 0) {
            rc = -XENIA_EACCES;
            break;
        }
        rc = evtchn_table_status(&d->evt, st->port, st);
        break;
    }
    case XENIA_EVTCHNOP_close: {
        uint32_t port = ((struct xenia_evtchn_port *)arg)->port;
        const struct evtchn *e = evtchn_table_get(&d->evt, port);
        if (e == NULL || port < XENIA_PORT_FIRST_DYNAMIC || e->state == ECS_FREE) {
            rc = -XENIA_EINVAL;
            break;
        }
        if (xsm_evtchn_close(XSM_HOOK, &d->label, &d->label) < 0) {
            rc = -XENIA_EACCES;
            break;
        }
        close_port(d, port);
        rc = 0;
        break;
    }
    default:
        rc = -XENIA_EINVAL;
        break;
    }
    pthread_mutex_unlock(&hv->table_lock);
    return rc;
}

int64_t evtchn_notify(struct domain *d, uint32_t port)
{
    int64_t rc;

    pthread_mutex_lock(&d->hv->table_lock);
    rc = send_locked(d, port);
    pthread_mutex_unlock(&d->hv->table_lock);
    return rc;
}

void evtchn_domain_close(struct hv *hv, struct domain *d)
{
    (void)hv;
    for (uint32_t p = XENIA_PORT_FIRST_DYNAMIC; p < XENIA_EVTCHN_PORTS; p++)
        if (d->evt.port[p].state != ECS_FREE)
            close_port(d, p);
}
