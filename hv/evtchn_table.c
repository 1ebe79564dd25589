/* SPDX-License-Identifier: MIT */
/* Event channel port table: pure decisions (see evtchn.h). */
#include "evtchn.h"

#include <stddef.h>

#include <xenia/abi.h>
#include <xenia/start_info.h>

/*@ predicate fixed_port(integer p) =
      p == XENIA_PORT_CONSOLE || p == XENIA_PORT_CONTROL ||
      p == XENIA_PORT_CONS_RING || p == XENIA_PORT_BLK;
*/

/*@ requires \valid(t);
    assigns t->port[0 .. XENIA_EVTCHN_PORTS - 1];
    ensures t->port[XENIA_PORT_CONSOLE].state == ECS_VIRQ;
    ensures t->port[XENIA_PORT_CONTROL].state == ECS_VIRQ;
    ensures t->port[XENIA_PORT_CONS_RING].state == ECS_STUBDOM;
    ensures t->port[XENIA_PORT_BLK].state == ECS_STUBDOM;
    ensures \forall integer p; 0 <= p < XENIA_EVTCHN_PORTS && !fixed_port(p) ==>
              t->port[p].state == ECS_FREE;
    ensures \forall integer p; 0 <= p < XENIA_EVTCHN_PORTS ==>
              t->port[p].remote_dom == 0 && t->port[p].remote_port == 0;
*/
void evtchn_table_init(struct evtchn_table *t)
{
    /* Field by field rather than memset so that the proof sees each field. */
    /*@ loop invariant 0 <= p <= XENIA_EVTCHN_PORTS;
        loop invariant \forall integer i; 0 <= i < p ==> t->port[i].state == ECS_FREE &&
                         t->port[i].remote_dom == 0 && t->port[i].remote_port == 0;
        loop assigns p, t->port[0 .. XENIA_EVTCHN_PORTS - 1];
        loop variant XENIA_EVTCHN_PORTS - p;
    */
    for (uint32_t p = 0; p < XENIA_EVTCHN_PORTS; p++) {
        t->port[p].state = ECS_FREE;
        t->port[p].pad[0] = 0;
        t->port[p].pad[1] = 0;
        t->port[p].pad[2] = 0;
        t->port[p].remote_dom = 0;
        t->port[p].remote_port = 0;
    }
    t->port[XENIA_PORT_CONSOLE].state = ECS_VIRQ;
    t->port[XENIA_PORT_CONTROL].state = ECS_VIRQ;
    t->port[XENIA_PORT_CONS_RING].state = ECS_STUBDOM;
    t->port[XENIA_PORT_BLK].state = ECS_STUBDOM;
}

/*@ requires \valid(t);
    behavior found:
      assumes \exists integer p; XENIA_PORT_FIRST_DYNAMIC <= p < XENIA_EVTCHN_PORTS &&
                t->port[p].state == ECS_FREE;
      assigns t->port[XENIA_PORT_FIRST_DYNAMIC .. XENIA_EVTCHN_PORTS - 1];
      ensures XENIA_PORT_FIRST_DYNAMIC <= \result < XENIA_EVTCHN_PORTS;
      ensures \at(t->port[\result].state, Pre) == ECS_FREE;
      ensures \forall integer q; XENIA_PORT_FIRST_DYNAMIC <= q < \result ==>
                \at(t->port[q].state, Pre) != ECS_FREE;
      ensures t->port[\result].state == ECS_UNBOUND;
      ensures t->port[\result].remote_dom == remote_dom;
      ensures t->port[\result].remote_port == 0;
      ensures \forall integer q; 0 <= q < XENIA_EVTCHN_PORTS && q != \result ==>
                t->port[q] == \at(t->port[q], Pre);
    behavior full:
      assumes \forall integer p; XENIA_PORT_FIRST_DYNAMIC <= p < XENIA_EVTCHN_PORTS ==>
                t->port[p].state != ECS_FREE;
      assigns \nothing;
      ensures \result == -XENIA_ENOSPC;
    complete behaviors;
    disjoint behaviors;
*/
int evtchn_table_alloc(struct evtchn_table *t, uint32_t remote_dom)
{
    /*@ loop invariant XENIA_PORT_FIRST_DYNAMIC <= p <= XENIA_EVTCHN_PORTS;
        loop invariant \forall integer q; XENIA_PORT_FIRST_DYNAMIC <= q < p ==>
                         t->port[q].state != ECS_FREE;
        loop assigns p;
        loop variant XENIA_EVTCHN_PORTS - p;
    */
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

/*@ assigns \nothing;
    behavior in_range:
      assumes 1 <= port < XENIA_EVTCHN_PORTS;
      ensures \result == &t->port[port];
    behavior out_of_range:
      assumes !(1 <= port < XENIA_EVTCHN_PORTS);
      ensures \result == \null;
    complete behaviors;
    disjoint behaviors;
*/
const struct evtchn *evtchn_table_get(const struct evtchn_table *t, uint32_t port)
{
    if (port == 0 || port >= XENIA_EVTCHN_PORTS)
        return NULL;
    return &t->port[port];
}

/*@ requires \valid_read(remote);
    assigns \nothing;
    behavior ok:
      assumes 1 <= remote_port < XENIA_EVTCHN_PORTS;
      assumes remote->port[remote_port].state == ECS_UNBOUND;
      assumes remote->port[remote_port].remote_dom == binder;
      ensures \result == 0;
    behavior refused:
      assumes !(1 <= remote_port < XENIA_EVTCHN_PORTS) ||
              remote->port[remote_port].state != ECS_UNBOUND ||
              remote->port[remote_port].remote_dom != binder;
      ensures \result == -XENIA_EINVAL;
    complete behaviors;
    disjoint behaviors;
*/
int evtchn_table_bindable(const struct evtchn_table *remote, uint32_t remote_port,
                          uint32_t binder)
{
    const struct evtchn *e = evtchn_table_get(remote, remote_port);

    if (e == NULL || e->state != ECS_UNBOUND || e->remote_dom != binder)
        return -XENIA_EINVAL;
    return 0;
}

/*@ predicate port_in(integer port) = 1 <= port < XENIA_EVTCHN_PORTS; */

/*@ requires \valid_read(t);
    requires \valid(st);
    requires \separated(st, t);
    behavior out_of_range:
      assumes !port_in(port);
      assigns \nothing;
      ensures \result == -XENIA_EINVAL;
    behavior virq:
      assumes port_in(port) && t->port[port].state == ECS_VIRQ;
      assigns st->status, st->remote_dom, st->remote_port;
      ensures \result == 0 && st->status == XENIA_EVTCHNSTAT_virq;
      ensures st->remote_dom == 0 && st->remote_port == 0;
    behavior stubdom:
      assumes port_in(port) && t->port[port].state == ECS_STUBDOM;
      assigns st->status, st->remote_dom, st->remote_port;
      ensures \result == 0 && st->status == XENIA_EVTCHNSTAT_stubdom;
      ensures st->remote_dom == 0 && st->remote_port == 0;
    behavior unbound:
      assumes port_in(port) && t->port[port].state == ECS_UNBOUND;
      assigns st->status, st->remote_dom, st->remote_port;
      ensures \result == 0 && st->status == XENIA_EVTCHNSTAT_unbound;
      ensures st->remote_dom == t->port[port].remote_dom && st->remote_port == 0;
    behavior interdomain:
      assumes port_in(port) && t->port[port].state == ECS_INTERDOMAIN;
      assigns st->status, st->remote_dom, st->remote_port;
      ensures \result == 0 && st->status == XENIA_EVTCHNSTAT_interdomain;
      ensures st->remote_dom == t->port[port].remote_dom;
      ensures st->remote_port == t->port[port].remote_port;
    behavior closed:
      assumes port_in(port);
      assumes t->port[port].state != ECS_VIRQ && t->port[port].state != ECS_STUBDOM &&
              t->port[port].state != ECS_UNBOUND && t->port[port].state != ECS_INTERDOMAIN;
      assigns st->status, st->remote_dom, st->remote_port;
      ensures \result == 0 && st->status == XENIA_EVTCHNSTAT_closed;
      ensures st->remote_dom == 0 && st->remote_port == 0;
    complete behaviors;
    disjoint behaviors;
*/
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
