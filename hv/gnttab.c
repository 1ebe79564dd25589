/* SPDX-License-Identifier: MIT */
/* Grant tables between live domains (see gnttab.h). */
#include "gnttab.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#include <xenia/abi.h>
#include <xenia/layout.h>

#include "domain.h"
#include "guestmem.h"
#include "log.h"

#define ACQUIRE_TRIES 16

/* Entry word of @ref in @g's table: flags in bits 0-15, domid in bits 16-31. */
static uint32_t *entry_word(struct domain *g, uint32_t ref)
{
    return (uint32_t *)(void *)(g->ram + g->gnt.table_gpa + (uint64_t)ref * sizeof(struct xenia_grant_entry));
}

static int valid_ref(struct domain *g, uint32_t ref)
{
    return g->gnt.table_gpa != 0 && g->ram != NULL &&
           ref < g->gnt.nr_frames * (XENIA_PAGE_SIZE / sizeof(struct xenia_grant_entry));
}

/*
 * Pin a grant: check the live entry and set GTF_reading (and GTF_writing) with
 * a compare-and-swap on the flags+domid word, as Xen's _set_status does; the
 * frame is read after the pin and checked again. Returns the frame or -errno.
 */
static int64_t acquire(struct domain *g, uint32_t ref, uint32_t mapper, int readonly)
{
    uint32_t *w = entry_word(g, ref);
    uint16_t bits = XENIA_GTF_reading | (readonly ? 0 : XENIA_GTF_writing);

    for (int i = 0; i < ACQUIRE_TRIES; i++) {
        uint32_t old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
        struct xenia_grant_entry e = { .flags = (uint16_t)old, .domid = (uint16_t)(old >> 16),
                                       .frame = __atomic_load_n(w + 1, __ATOMIC_ACQUIRE) };
        int rc = gnttab_check_entry(&e, mapper, readonly, g->ram_bytes);

        if (rc < 0)
            return rc;
        if (__atomic_compare_exchange_n(w, &old, old | bits, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            e.frame = __atomic_load_n(w + 1, __ATOMIC_ACQUIRE);
            if (gnttab_check_entry(&e, mapper, readonly, g->ram_bytes) < 0) {
                /* The granter changed the frame under us: undo if we were first. */
                if (!g->gnt.active_rd[ref])
                    __atomic_fetch_and(w, ~(uint32_t)(XENIA_GTF_reading | XENIA_GTF_writing),
                                       __ATOMIC_RELEASE);
                return -XENIA_EACCES;
            }
            g->gnt.active_rd[ref]++;
            if (!readonly)
                g->gnt.active_wr[ref]++;
            return e.frame;
        }
    }
    return -XENIA_EBUSY;
}

/* Unpin: clear the in-use bits once no mapping or copy holds them. */
static void release(struct domain *g, uint32_t ref, int readonly)
{
    uint32_t clear = 0;

    if (g == NULL || !valid_ref(g, ref))
        return;
    if (!readonly && g->gnt.active_wr[ref] && --g->gnt.active_wr[ref] == 0)
        clear |= XENIA_GTF_writing;
    if (g->gnt.active_rd[ref] && --g->gnt.active_rd[ref] == 0)
        clear |= XENIA_GTF_reading | XENIA_GTF_writing;
    if (clear)
        __atomic_fetch_and(entry_word(g, ref), ~clear, __ATOMIC_RELEASE);
}

static int64_t setup_table(struct domain *d, struct xenia_gnttab_setup_table *a)
{
    uint8_t *host;
    uint64_t avail, gpa;
    int rc;

    if (xsm_grant_setup(XSM_TARGET, &d->label, &d->label) < 0)
        return -XENIA_EACCES;
    if (a->table_gva & (XENIA_PAGE_SIZE - 1) || a->nr_frames == 0 ||
        a->nr_frames > XENIA_GNTTAB_FRAMES)
        return -XENIA_EINVAL;
    rc = gmem_check_range(&d->hc.mem, a->table_gva, (uint64_t)a->nr_frames * XENIA_PAGE_SIZE,
                          GMEM_USER | GMEM_WRITE);
    if (rc < 0)
        return rc;
    rc = gmem_translate(&d->hc.mem, a->table_gva, GMEM_USER | GMEM_WRITE, &host, &avail);
    if (rc < 0)
        return rc;
    if (host < d->ram || host >= d->ram + d->ram_bytes)
        return -XENIA_EINVAL;        /* the I/O window cannot hold a grant table */
    gpa = (uint64_t)(host - d->ram);
    rc = gnttab_check_setup(gpa, a->nr_frames, d->ram_bytes);
    if (rc < 0)
        return rc;
    for (uint32_t i = 0; i < XENIA_GNTTAB_ENTRIES; i++)
        if (d->gnt.active_rd[i])
            return -XENIA_EBUSY;     /* grants in use: the table cannot move */
    d->gnt.table_gpa = gpa;
    d->gnt.nr_frames = a->nr_frames;
    return 0;
}

/* The system-call side of a mapping (gnttab.h): weak so that the hypercall fuzz
 * harness can link fakes that record what would be exposed to the grantee. */
__attribute__((weak)) void *gnttab_frame_map(struct domain *g, uint64_t frame, int readonly)
{
    void *host = mmap(NULL, XENIA_PAGE_SIZE, readonly ? PROT_READ : PROT_READ | PROT_WRITE,
                      MAP_SHARED, g->ram_fd, (off_t)(frame << XENIA_PAGE_SHIFT));

    return host == MAP_FAILED ? NULL : host;
}

__attribute__((weak)) void gnttab_frame_unmap(void *host)
{
    munmap(host, XENIA_PAGE_SIZE);
}

__attribute__((weak)) int gnttab_set_slot(struct domain *d, unsigned idx, uint64_t gpa,
                                          void *host, int readonly)
{
    struct kvm_userspace_memory_region r = {
        .slot = GNT_SLOT_BASE + idx, .flags = host && readonly ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = gpa, .memory_size = host ? XENIA_PAGE_SIZE : 0,
        .userspace_addr = (uint64_t)(uintptr_t)host };

    return ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

static int64_t map_ref(struct domain *d, struct xenia_gnttab_map *a)
{
    int idx = gnttab_check_map_addr(a->host_addr), ro = (a->flags & XENIA_GNTMAP_readonly) != 0;
    struct domain *g;
    int64_t frame;
    void *host;
    int rc;

    if (a->flags & ~XENIA_GNTMAP_readonly || idx < 0)
        return -XENIA_EINVAL;
    if (d->gnt.map[idx].used)
        return -XENIA_EBUSY;
    g = domain_peer(d->hv, a->dom);
    if (g == NULL)
        return -XENIA_ESRCH;
    if (g == d)
        return -XENIA_EINVAL;
    /* XSM before the ref is read (Xen xsm_grant_mapref): a denied caller learns
     * nothing of the granter's table and every attempt is audited. */
    if ((ro ? xsm_grant_map_read(XSM_HOOK, &d->label, &g->label)
            : xsm_grant_map_write(XSM_HOOK, &d->label, &g->label)) < 0)
        return -XENIA_EACCES;
    if (!valid_ref(g, a->ref))
        return -XENIA_EINVAL;
    frame = acquire(g, a->ref, d->domid, ro);
    if (frame < 0)
        return frame;
    host = gnttab_frame_map(g, (uint64_t)frame, ro);
    if (host == NULL) {
        release(g, a->ref, ro);
        return -XENIA_ENOMEM;
    }
    rc = gnttab_set_slot(d, (unsigned)idx, a->host_addr, host, ro);
    if (rc < 0) {
        log_warn("domain %u: grant map slot: %s", d->domid, strerror(-rc));
        gnttab_frame_unmap(host);
        release(g, a->ref, ro);
        return rc == -EINVAL && ro ? -XENIA_EOPNOTSUPP : -XENIA_ENOMEM;
    }
    d->gnt.map[idx] = (struct gnt_map){ .used = 1, .readonly = (uint8_t)ro, .granter = g->domid,
                                        .ref = a->ref, .gpa = a->host_addr, .host = host };
    d->gnt.nr_maps++;
    a->handle = (uint32_t)idx;
    return 0;
}

/* Drop mapping @idx of @d (its VM may already be gone: vm_fd < 0). */
static void unmap_idx(struct domain *d, unsigned idx)
{
    struct gnt_map *m = &d->gnt.map[idx];

    if (!m->used)
        return;
    if (d->vm_fd >= 0)
        gnttab_set_slot(d, idx, m->gpa, NULL, 0);
    gnttab_frame_unmap(m->host);
    release(m->granter ? domain_peer(d->hv, m->granter) : NULL, m->ref, m->readonly);
    memset(m, 0, sizeof(*m));
    d->gnt.nr_maps--;
}

static int64_t copy(struct domain *d, struct xenia_gnttab_copy *a)
{
    int to_grant = (a->flags & XENIA_GNTCOPY_to_grant) != 0;
    struct domain *g;
    int64_t frame;
    uint8_t *page;
    int rc;

    if (a->flags & ~XENIA_GNTCOPY_to_grant || gnttab_check_copy(a->offset, a->len) < 0)
        return -XENIA_EINVAL;
    rc = gmem_check_range(&d->hc.mem, a->gva, a->len, GMEM_USER | (to_grant ? 0 : GMEM_WRITE));
    if (rc < 0)
        return rc;
    g = domain_peer(d->hv, a->dom);
    if (g == NULL)
        return -XENIA_ESRCH;
    if (g == d)
        return -XENIA_EINVAL;
    if (xsm_grant_copy(XSM_HOOK, &d->label, &g->label) < 0)
        return -XENIA_EACCES;    /* before the ref is read, as in map_ref */
    if (!valid_ref(g, a->ref))
        return -XENIA_EINVAL;
    frame = acquire(g, a->ref, d->domid, !to_grant);
    if (frame < 0)
        return frame;
    page = g->ram + ((uint64_t)frame << XENIA_PAGE_SHIFT) + a->offset;
    rc = to_grant ? gmem_copy_from(&d->hc.mem, page, a->gva, a->len)
                  : gmem_copy_to(&d->hc.mem, a->gva, page, a->len);
    release(g, a->ref, !to_grant);
    return rc < 0 ? rc : 0;
}

int64_t gnttab_op(struct domain *d, uint32_t cmd, void *arg)
{
    struct hv *hv = d->hv;
    int64_t rc;

    pthread_mutex_lock(&hv->table_lock);
    switch (cmd) {
    case XENIA_GNTTABOP_setup_table:
        rc = setup_table(d, arg);
        break;
    case XENIA_GNTTABOP_map_grant_ref:
        rc = map_ref(d, arg);
        break;
    case XENIA_GNTTABOP_unmap_grant_ref: {
        uint32_t h = ((struct xenia_gnttab_unmap *)arg)->handle;
        if (h >= XENIA_GNTMAP_MAX || !d->gnt.map[h].used) {
            rc = -XENIA_EINVAL;
            break;
        }
        unmap_idx(d, h);
        rc = 0;
        break;
    }
    case XENIA_GNTTABOP_copy:
        rc = copy(d, arg);
        break;
    case XENIA_GNTTABOP_query_size: {
        struct xenia_gnttab_query_size *q = arg;
        if (xsm_grant_query(XSM_TARGET, &d->label, &d->label) < 0) {
            rc = -XENIA_EACCES;
            break;
        }
        q->nr_frames = d->gnt.nr_frames;
        q->max_nr_frames = XENIA_GNTTAB_FRAMES;
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

void gnttab_domain_release(struct hv *hv, struct domain *d)
{
    for (unsigned i = 0; i < XENIA_GNTMAP_MAX; i++)
        unmap_idx(d, i);
    for (int s = 0; s < HV_MAX_DOMAINS; s++) {
        struct domain *o = hv->doms[s];
        if (o == NULL || o == d)
            continue;
        for (unsigned i = 0; i < XENIA_GNTMAP_MAX; i++)
            if (o->gnt.map[i].used && o->gnt.map[i].granter == d->domid)
                o->gnt.map[i].granter = 0;   /* orphaned: the page lives until unmapped */
    }
    d->gnt.table_gpa = 0;
    d->gnt.nr_frames = 0;
    memset(d->gnt.active_rd, 0, sizeof(d->gnt.active_rd));
    memset(d->gnt.active_wr, 0, sizeof(d->gnt.active_wr));
}
