/* SPDX-License-Identifier: MIT */
/* Event channel port table: pure decisions (see evtchn.h). */
#include "evtchn.h"

#include <string.h>

#include <xenia/abi.h>
#include <xenia/start_info.h>

void evtchn_table_init(struct evtchn_table *t)
{
    memset(t, 0, sizeof(*t));
    t->port[XENIA_PORT_CONSOLE].state = ECS_VIRQ;
    t->port[XENIA_PORT_CONTROL].state = ECS_VIRQ;
    t->port[XENIA_PORT_CONS_RING].state = ECS_STUBDOM;
    t->port[XENIA_PORT_BLK].state = ECS_STUBDOM;
}

int evtchn_table_alloc(struct evtchn_table *t, uint32_t remote_dom)
{
    for (uint32_t p = XENIA_PORT_FIRST_DYNAMIC; p < XENIA_EVTCHN_PORTS; p++) {
        if (t->port[p].state == ECS_FREE) {
            t->port[p].state = ECS_UNBOUND;
            t->port[p].remote_dom = remote_dom;
            t->port[p].remote_port = 0;
            return (int)p;
        }
    }
    return -XENIA_ENOSPC;
}

const struct evtchn *evtchn_table_get(const struct evtchn_table *t, uint32_t port)
{
    if (port == 0 || port >= XENIA_EVTCHN_PORTS)
        return NULL;
    return &t->port[port];
}

int evtchn_table_bindable(const struct evtchn_table *remote, uint32_t remote_port,
                          uint32_t binder)
{
    const struct evtchn *e = evtchn_table_get(remote, remote_port);

    if (e == NULL || e->state != ECS_UNBOUND || e->remote_dom != binder)
        return -XENIA_EINVAL;
    return 0;
}

int evtchn_table_status(const struct evtchn_table *t, uint32_t port,
                        struct xenia_evtchn_status *st)
{
    const struct evtchn *e = evtchn_table_get(t, port);

    if (e == NULL)
        return -XENIA_EINVAL;
    st->remote_dom = 0;
    st->remote_port = 0;
    switch (e->state) {
    case ECS_VIRQ:
        st->status = XENIA_EVTCHNSTAT_virq;
        break;
    case ECS_STUBDOM:
        st->status = XENIA_EVTCHNSTAT_stubdom;
        break;
    case ECS_UNBOUND:
        st->status = XENIA_EVTCHNSTAT_unbound;
        st->remote_dom = e->remote_dom;
        break;
    case ECS_INTERDOMAIN:
        st->status = XENIA_EVTCHNSTAT_interdomain;
        st->remote_dom = e->remote_dom;
        st->remote_port = e->remote_port;
        break;
    default:
        st->status = XENIA_EVTCHNSTAT_closed;
        break;
    }
    return 0;
}
