/* SPDX-License-Identifier: MIT */
/*
 * Grant tables (Xen public/grant_table.h, v1 entries; ABI in
 * include/xenia/hypercall.h). A domain names one page of its own RAM as its
 * grant table; other domains map or copy the frames it grants them. A mapping
 * is a private hv mapping of the granter's RAM memfd page, added to the
 * grantee's VM as a KVM memory slot in its grant-map area, so it stays valid
 * until unmapped even if the granter goes away (Xen keeps granted pages alive
 * the same way). hv sets GTF_reading/GTF_writing in the granter's entry while a
 * mapping or copy is active; the granter can end access only when both are clear.
 *
 * The gnttab_check_* functions are pure (no system calls): unit tested, fuzzed
 * and proved alone. gnttab_op() applies them under hv->table_lock, with the XSM
 * checks of class grant.
 */
#ifndef HV_GNTTAB_H
#define HV_GNTTAB_H

#include <stdint.h>

#include <xenia/hypercall.h>

struct gnt_map {
    uint8_t used;
    uint8_t readonly;
    uint8_t pad[2];
    uint32_t granter;            /* domid, or 0 after the granter went away */
    uint32_t ref;
    uint64_t gpa;                /* in the grantee's grant-map area */
    void *host;                  /* hv's mapping of the granted page */
};

struct gnttab {
    uint64_t table_gpa;          /* 0 = no table set up */
    uint32_t nr_frames;
    uint32_t nr_maps;
    struct gnt_map map[XENIA_GNTMAP_MAX];       /* this domain's mappings (grantee) */
    uint16_t active_rd[XENIA_GNTTAB_ENTRIES];   /* this domain's grants in use (granter) */
    uint16_t active_wr[XENIA_GNTTAB_ENTRIES];
};

/* First KVM memory slot used for grant mappings (0 = RAM, 1 = I/O window). */
#define GNT_SLOT_BASE 2u

/*
 * gnttab_check_setup - a grant table at guest physical @gpa, @nr_frames pages,
 * in RAM of @ram_bytes: page aligned, 1..XENIA_GNTTAB_FRAMES frames, wholly
 * inside [XENIA_IMAGE_BASE_MIN, ram_bytes) without overflow. 0 or -XENIA_EINVAL.
 */
int gnttab_check_setup(uint64_t gpa, uint32_t nr_frames, uint64_t ram_bytes);

/*
 * gnttab_check_entry - does grant entry word @e (a snapshot) give domain @mapper
 * access, read-only if @readonly, to a frame of a granter with @ram_bytes of RAM?
 * Requires GTF_permit_access, e.domid == mapper, no GTF_readonly when writing,
 * and a frame inside [XENIA_IMAGE_BASE_MIN, ram_bytes) (never the start-info,
 * shared page or builder area). Returns 0 or -XENIA_EACCES.
 */
int gnttab_check_entry(const struct xenia_grant_entry *e, uint32_t mapper, int readonly,
                       uint64_t ram_bytes);

/*
 * gnttab_check_map_addr - index of the grant-map page at @gpa (page aligned,
 * inside [XENIA_GNTMAP_GPA, + XENIA_GNTMAP_PAGES pages)), or -XENIA_EINVAL.
 */
int gnttab_check_map_addr(uint64_t gpa);

/* gnttab_check_copy - offset + len inside one page, len 1..4096: 0 or -XENIA_EINVAL. */
int gnttab_check_copy(uint32_t offset, uint32_t len);

struct domain;
struct hv;
struct gmem;

/*
 * The system calls behind a grant mapping, weak so that a fuzz harness
 * (fuzz/hypercall) can replace them with fakes that record what is exposed:
 * gnttab_frame_map - hv's mapping of page @frame of granter @g's RAM memfd,
 *   read-only if @readonly (mmap); NULL on failure.
 * gnttab_frame_unmap - drop a mapping gnttab_frame_map returned (munmap).
 * gnttab_set_slot - the grantee @d's KVM memory slot GNT_SLOT_BASE + @idx: map
 *   @host at guest physical @gpa (KVM_MEM_READONLY if @readonly), or remove the
 *   slot when @host is NULL. Returns 0 or -errno of KVM_SET_USER_MEMORY_REGION.
 */
void *gnttab_frame_map(struct domain *g, uint64_t frame, int readonly);
void gnttab_frame_unmap(void *host);
int gnttab_set_slot(struct domain *d, unsigned idx, uint64_t gpa, void *host, int readonly);

/*
 * gnttab_op - run one decoded GNTTABOP_* for domain @d (its vCPU thread).
 * @arg is the command's struct with zero pads checked; for copy, @mem is the
 * caller's memory view. Takes hv->table_lock. Returns >= 0 or -XENIA_Exxx.
 */
int64_t gnttab_op(struct domain *d, uint32_t cmd, void *arg);

/* gnttab_domain_release - @d goes away (destroy or restart): unmap its
 * mappings (clearing the granters' in-use bits) and mark other domains'
 * mappings of its frames as orphaned. Caller holds table_lock. */
void gnttab_domain_release(struct hv *hv, struct domain *d);

#endif /* HV_GNTTAB_H */
