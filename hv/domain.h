/* SPDX-License-Identifier: MIT */
/*
 * Domains: a KVM VM with private RAM (memfd), an I/O window (memfd), one vCPU
 * thread, a console, and a lifecycle driven by the control socket.
 *
 * Threads: the main thread owns the domain table, the control socket and
 * console clients; each domain has one vCPU thread running KVM_RUN. A domain's
 * mutable state is guarded by dom->lock; requests to the vCPU thread (pause,
 * kill) are flags plus a kick (immediate_exit + SIGUSR1 + wake eventfd).
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/kvm.h>

#include <xenia/ctl.h>
#include <xenia/builder.h>
#include <xenia/hypercall.h>
#include <xenia/shared.h>

#include "console.h"
#include "dm.h"
#include "evtchn.h"
#include "gnttab.h"
#include "hypercall.h"
#include "xsm/xsm.h"

#define HV_MAX_DOMAINS 256

/* vCPU requests (bit flags in vcpu.req). */
#define VREQ_PAUSE 0x1u
#define VREQ_KILL  0x2u

struct hv;

struct vcpu {
    int fd;
    struct kvm_run *run;
    size_t run_size;
    pthread_t thread;
    int thread_started;
    int wake_fd;                      /* eventfd: events, pause/kill requests */
    unsigned req;                     /* VREQ_*, atomic */
    int paused_ack;                   /* vCPU thread is parked (under dom lock) */
    int cpu_final;                    /* thread's CPU time is in cpu_done_ns (dom lock) */
    pthread_cond_t cond;              /* unpause / parked signalling */
    timer_t cap_timer;
    int cap_timer_armed;
    /* statistics */
    uint64_t nr_exits, nr_hypercalls, nr_throttled;
    uint64_t cap_last_ns, cap_last_cpu_ns;
    int64_t cap_credit_ns;
    uint64_t tsc_khz;
};

struct domain {
    struct hv *hv;
    uint32_t domid;
    char name[XENIA_NAME_MAX];
    uint32_t owner_uid;
    struct xsm_label label;           /* its security label (fixed at create) */
    pthread_mutex_t lock;

    /* configuration (from the create request) */
    struct xenia_ctl_create cfg;
    int image_fd;                     /* kept for restart */

    /* state */
    uint32_t state;                   /* XENIA_DOMSTATE_* */
    uint32_t shutdown_reason;
    char crash_info[248];
    uint32_t restarts;
    int needs_reap;                   /* vCPU thread stopped; main thread acts */
    uint64_t created_ns, stopped_ns;
    uint64_t cpu_done_ns;             /* CPU time of finished vCPU threads */
    uint64_t first_hcall_ns;          /* first hypercall of this instance (launch time) */

    /* memory and VM */
    int ram_fd, iowin_fd;
    uint8_t *ram, *iowin;
    uint64_t ram_bytes, iowin_bytes;
    int vm_fd;
    struct vcpu vcpu;
    struct xenia_shared_page *shared;

    /* hypercall view */
    struct hc_domain hc;
    uint64_t t0_ns;                   /* system time 0 (CLOCK_MONOTONIC) */

    struct console con;

    /* event channels, grant table, device model (table_lock guards evt and gnt) */
    struct evtchn_table evt;
    struct gnttab gnt;
    struct dm dm;

    /* attest_op rate limit (vCPU thread only): token bucket in ns of budget */
    uint64_t att_budget_ns, att_last_ns;
};

/* Global hv state. */
struct hv {
    char run_dir[256];
    char builder_path[512];
    char build_id[48];
    int kvm_fd;
    int reap_fd;                      /* eventfd: some domain needs_reap */
    pthread_mutex_t table_lock;       /* guards doms[] and every domain's evt and gnt: the
                                       * main thread takes it to add or remove a domain,
                                       * vCPU threads for event channel and grant ops */
    struct domain *doms[HV_MAX_DOMAINS];
    uint32_t next_domid;
    struct xsm_label xen_label;       /* hv itself: the `xen` initial SID */
    struct xsm_label security_label;  /* policy state: the `security` initial SID */
};

/* Monotonic clock in ns. */
uint64_t hv_now_ns(void);

/*
 * domain_create - build and start a domain from a validated create request.
 * @creator: the client's label; the new domain's label comes from req->seclabel
 * (or the policy's default for the creator) and is checked by the XSM hooks
 * domain_create (and domain_setlabel for an explicit seclabel) before anything
 * is allocated. @image_fd and @disk_fd (-1 = none) are consumed (owned by the domain on success, closed on
 * error). On success returns 0 and stores the new domid; on error returns
 * -XENIA_Exxx (-XENIA_EACCES when denied) with a reason in @err. Nothing is
 * left behind on error.
 */
int domain_create(struct hv *hv, const struct xenia_ctl_create *req, int image_fd, int disk_fd,
                  const struct xsm_label *creator, uint32_t *domid, char *err, size_t errlen);

/* domain_destroy - stop the vCPU, free every resource, remove from the table. */
void domain_destroy(struct hv *hv, struct domain *d);

/* domain_pause / domain_unpause - 0, -XENIA_EBUSY (already in that state), -XENIA_ESHUTDOWN. */
int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);

/* domain_request_shutdown - ask the guest to shut down (shared page + control event). */
int domain_request_shutdown(struct domain *d, uint32_t reason);

/* domain_peer - the domain another domain names in a hypercall (event channels,
 * grants): NULL for 0, DOMID_SELF and the reserved range, or an unknown id. The
 * caller holds hv->table_lock (vCPU threads) or is the main thread. */
struct domain *domain_peer(struct hv *hv, uint32_t domid);

/* domain_find - domain by id or NULL; domain_lookup - by name. Main thread only. */
struct domain *domain_find(struct hv *hv, uint32_t domid);
struct domain *domain_lookup(struct hv *hv, const char *name);

/* domain_info - fill @out from @d (takes d->lock). */
void domain_info(struct domain *d, struct xenia_dominfo *out);

/* domain_stubdoms - fill @out (up to XENIA_STUBDOM_MAX) with @d's stub domains
 * (main thread). Returns the number filled. */
uint32_t domain_stubdoms(struct domain *d, struct xenia_stubdom_info *out, uint64_t *disk_bytes);

/* domain_reap - main thread: act on domains whose vCPU stopped (on_poweroff...). */
void domain_reap(struct hv *hv);

/* domain_raise_event - set pending bit @port and wake a blocked vCPU. Thread-safe. */
void domain_raise_event(struct domain *d, uint32_t port);

/* vCPU (vcpu.c) */
int vcpu_start(struct domain *d);
void vcpu_kick(struct domain *d);
void vcpu_signal_init(void);

/* Builder stub domain (builder_spawn.c): run xenia-builder over the domain's RAM. */
int builder_run(struct hv *hv, struct domain *d, struct xenia_build_resp *resp,
                char *err, size_t errlen);

#endif /* HV_DOMAIN_H */
