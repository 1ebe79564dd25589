/* SPDX-License-Identifier: MIT */
/*
 * Event channels (Xen public/event_channel.h semantics, ABI in
 * include/xenia/hypercall.h). Each domain has XENIA_EVTCHN_PORTS ports:
 *   1, 2       virq: console input and control, raised by hv;
 *   3, 4       stubdom: console ring and block ring, served by the domain's
 *              device model (guest kick = KVM ioeventfd on the dm's eventfd;
 *              dm -> guest = an eventfd hv drains, see vcpu.c);
 *   8 ..       dynamic: alloc_unbound / bind_interdomain between domains.
 * The table functions (evtchn_table_*) are pure: no system calls, no locks;
 * they are unit tested, fuzzed and proved alone. evtchn_op() applies them to
 * live domains under hv->table_lock, with the XSM checks of class event.
 */
#ifndef HV_EVTCHN_H
#define HV_EVTCHN_H

#include <stdint.h>

#include <xenia/hypercall.h>

enum evtchn_state {
    ECS_FREE = 0,
    ECS_VIRQ,           /* fixed, raised by hv */
    ECS_STUBDOM,        /* fixed, served by the device model */
    ECS_UNBOUND,        /* waiting for remote_dom */
    ECS_INTERDOMAIN,    /* connected to (remote_dom, remote_port) */
};

struct evtchn {
    uint8_t state;          /* enum evtchn_state */
    uint8_t pad[3];
    uint32_t remote_dom;
    uint32_t remote_port;
};

struct evtchn_table {
    struct evtchn port[XENIA_EVTCHN_PORTS];
};

/* evtchn_table_init - every port free except the fixed ones (see above). */
void evtchn_table_init(struct evtchn_table *t);

/* evtchn_table_alloc - lowest free dynamic port, now unbound for @remote_dom.
 * Returns the port (>= XENIA_PORT_FIRST_DYNAMIC) or -XENIA_ENOSPC. */
int evtchn_table_alloc(struct evtchn_table *t, uint32_t remote_dom);

/* evtchn_table_bindable - may domain @binder bind @remote_port of table @remote?
 * 0 when the port is in range, unbound and allocated for @binder; else -XENIA_EINVAL. */
int evtchn_table_bindable(const struct evtchn_table *remote, uint32_t remote_port,
                          uint32_t binder);

/* evtchn_table_get - the port's entry if 1 <= port < XENIA_EVTCHN_PORTS, else NULL. */
const struct evtchn *evtchn_table_get(const struct evtchn_table *t, uint32_t port);

/* evtchn_table_status - fill @st (status, remote_dom, remote_port) for @port.
 * Returns 0 or -XENIA_EINVAL for a port out of range. */
int evtchn_table_status(const struct evtchn_table *t, uint32_t port,
                        struct xenia_evtchn_status *st);

struct domain;
struct hv;

/*
 * evtchn_op - run one decoded EVTCHNOP_* for domain @d (its vCPU thread).
 * @arg is the command's struct, already copied from the guest with zero pads
 * checked; OUT fields are filled on success. Takes hv->table_lock. Every
 * operation that names another domain is checked by XSM before any change.
 * Returns >= 0 or -XENIA_Exxx (hypercall.h lists them).
 */
int64_t evtchn_op(struct domain *d, uint32_t cmd, void *arg);

/* evtchn_notify - the guest kicked @port through the notify port (an exit:
 * ports without an ioeventfd). Same as EVTCHNOP_send; returns its result. */
int64_t evtchn_notify(struct domain *d, uint32_t port);

/* evtchn_domain_close - @d goes away (destroy or restart): every dynamic port
 * is closed and interdomain peers go back to unbound. Caller holds table_lock. */
void evtchn_domain_close(struct hv *hv, struct domain *d);

#endif /* HV_EVTCHN_H */
