/* SPDX-License-Identifier: MIT */
/*
 * Domain configuration files for the `xenia` CLI: xl.cfg(5)-style text ->
 * struct xenia_domcfg, with validation and error text a person can act on.
 *
 * Pure: no system calls except reading a file in xenia_config_load() (stdio, as
 * libconfig itself would). The text is parsed by libconfig after a small
 * normalising pass that makes more of xl.cfg's syntax acceptable (see config.c).
 *
 * Keys (xl.cfg(5) names and meaning):
 *   name        string, [A-Za-z0-9_.-]{1,63}, not all digits       required
 *   kernel      path of the PV image; relative to the config's dir   required
 *   memory      integer MiB, XENIA_MEM_MIN_MIB..XENIA_MEM_MAX_MIB    default 64
 *   cmdline     string, at most XENIA_CMDLINE_MAX - 1 bytes           default ""
 *   vcpus       integer, only 1 for now                               default 1
 *   cap         integer percent of one CPU, 0..100 (0 = no cap)       default 0
 *   on_poweroff, on_reboot, on_crash
 *               "destroy" | "preserve" | "restart"                    default "preserve"
 *               (preserve keeps a stopped domain listed with its reason until
 *               `xenia destroy`; xl's default would be destroy / restart / destroy)
 *   type        "pv" only (HVM guests are parked)                     default "pv"
 *   seclabel    security context "user:role:type[:level]", at most     default ""
 *               XENIA_SECLABEL_MAX - 1 bytes of [A-Za-z0-9_.:,-]      (policy's default)
 *   disk        [ "DISKSPEC" ]: at most one disk per domain           default none
 *               (xl-disk-configuration(5) syntax, see xenia_config_parse_disk();
 *               a raw image file, served by the domain's device-model stub
 *               domain; a relative path is resolved like kernel). Also a bare
 *               "DISKSPEC" string, and the override disk=DISKSPEC.
 * Recognised xl.cfg keys that Xenia does not support yet (init_seclabel, vif,
 * ramdisk, ...) are refused with a message saying so; any other key is refused
 * with a "did you mean" hint.
 */
#ifndef XENIA_TOOLS_CONFIG_H
#define XENIA_TOOLS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "xenia/ctl.h"
#include "xenia/layout.h"

#define XENIA_CFG_PATH_MAX    4096u        /* resolved kernel path incl. NUL */
#define XENIA_CFG_ORIGIN_MAX  320u         /* "FILE:LINE" of a setting, for messages */
#define XENIA_CFG_TEXT_MAX    (1u << 20)   /* largest config text accepted (bytes) */
#define XENIA_CFG_ERR_MAX     1024u        /* suggested size of error buffers */
#define XENIA_CFG_MEMORY_DEFAULT_MIB 64u
#define XENIA_CFG_VDEV_MAX    16u          /* disk vdev incl. NUL ("xvda") */

struct xenia_domcfg {
    char     name[XENIA_NAME_MAX];          /* validated, NUL-terminated */
    uint32_t memory_mib;                    /* XENIA_MEM_MIN_MIB..XENIA_MEM_MAX_MIB */
    uint32_t vcpus;                         /* 1 */
    uint32_t cap;                           /* 0..100 */
    uint8_t  on_poweroff;                   /* XENIA_ACTION_* */
    uint8_t  on_reboot;
    uint8_t  on_crash;
    char     kernel[XENIA_CFG_PATH_MAX];    /* resolved path (not checked for existence) */
    uint8_t  kernel_resolved;               /* 1: kernel was relative and got the config's
                                               directory prepended */
    char     kernel_origin[XENIA_CFG_ORIGIN_MAX]; /* where kernel was set: "FILE:LINE" or
                                                     "FILE: override kernel=..." */
    char     cmdline[XENIA_CMDLINE_MAX];    /* NUL-terminated */
    char     seclabel[XENIA_SECLABEL_MAX];  /* NUL-terminated; "" = the policy's default */
    uint8_t  has_disk;                      /* 1: disk, disk_ro, disk_vdev, disk_origin set */
    uint8_t  disk_ro;                       /* 1: the guest may only read the disk */
    uint8_t  disk_resolved;                 /* 1: the disk path was relative and got the
                                               config's directory prepended */
    char     disk_vdev[XENIA_CFG_VDEV_MAX]; /* vdev as written ("" if not given); the
                                               guest sees its one disk whatever it says */
    char     disk[XENIA_CFG_PATH_MAX];      /* resolved path of the raw disk image */
    char     disk_origin[XENIA_CFG_ORIGIN_MAX]; /* where disk was set ("FILE:LINE", or
                                                   "FILE: override \"disk=...\"") */
};

/* One parsed DISKSPEC (xenia_config_parse_disk). */
struct xenia_diskspec {
    char    target[XENIA_CFG_PATH_MAX];     /* the path as written (not resolved) */
    char    vdev[XENIA_CFG_VDEV_MAX];       /* "" if not given */
    uint8_t ro;                             /* access r / ro */
};

/*
 * Parse and validate a domain configuration held in memory.
 *   text, len   the config text (need not be NUL-terminated; a NUL byte inside the
 *               first len bytes is an error); len <= XENIA_CFG_TEXT_MAX.
 *   source      the config file's path as the user wrote it: used as the prefix of
 *               every message ("SOURCE:LINE: ...") and, through its directory part,
 *               to resolve a relative `kernel` or disk path (as xl does). May be NULL
 *               ("<config>", no directory).
 *   overrides   n_overrides strings "KEY=VALUE" from the command line (xl create
 *               CONFIG KEY=VALUE...): VALUE is parsed like a value in the file; for
 *               a string key a VALUE that does not start with a quote is taken
 *               literally. A later override beats an earlier one and the file.
 *   out         filled on success; zeroed first in every case.
 *   err         receives one NUL-terminated message on failure (may be NULL);
 *               errlen its size (XENIA_CFG_ERR_MAX is always enough).
 * Returns 0, or -XENIA_EINVAL (bad config: err says where and what to do),
 * -XENIA_E2BIG (text too large), -XENIA_ENOMEM.
 */
int xenia_config_parse(const char *text, size_t len, const char *source,
                       const char *const *overrides, size_t n_overrides,
                       struct xenia_domcfg *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Read the file at `path` (at most XENIA_CFG_TEXT_MAX bytes) and parse it as
 * xenia_config_parse() does, with source = path.
 * Returns 0, the errors of xenia_config_parse(), or -errno when the file cannot
 * be read (err then says "PATH: cannot read: <strerror>").
 */
int xenia_config_load(const char *path, const char *const *overrides, size_t n_overrides,
                      struct xenia_domcfg *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Parse one disk specification, xl-disk-configuration(5) (Xen
 * docs/man/xl-disk-configuration.5.pod; semantics of libxlu_disk_l.l), into *out:
 * comma-separated parameters, blanks before each ignored:
 *   positional     TARGET[,FORMAT[,VDEV[,ACCESS]]]     "disk.img,raw,xvda,rw"
 *   named          format=, vdev=, access=, devtype=disk, and target=PATH, which
 *                  takes the whole rest of the string (commas included): last
 *   deprecated     [PREFIX:]TARGET,VDEV[:disk],ACCESS   "file:disk.img,xvda,w"
 *                  PREFIX: file: phy: aio: tap: tap2: tapdisk: ioemu: (ignored),
 *                  raw: (format), and stacked ("tap:aio:")
 *   Xenia short    TARGET,ACCESS                        "disk.img,ro"
 *                  (an access word where the format goes: no format is named so)
 * FORMAT must be raw (or empty); ACCESS is r|ro (read-only) or w|rw|"" (default
 * rw); VDEV is checked for shape only: xvdX.., hdX.., sdX.. (letters, then an
 * optional partition number) or dN[pM] (xen-vbd-interface(7)). Refused with a
 * reason: other formats (qcow, qcow2, vhd, qed, empty), CD-ROMs (cdrom,
 * devtype=cdrom, VDEV:cdrom), backend=, backendtype=, script= and script
 * prefixes (iscsi: nbd: enbd: drbd:), other xl flags, an empty target, a
 * parameter given twice, a fifth positional parameter, unknown parameters.
 *   spec       NUL-terminated; at most XENIA_CFG_PATH_MAX + 256 bytes.
 *   why        receives the reason on failure (whylen bytes; may be NULL).
 * Pure. Returns 0, or -XENIA_EINVAL (out zeroed).
 */
int xenia_config_parse_disk(const char *spec, struct xenia_diskspec *out, char *why,
                            size_t whylen) __attribute__((warn_unused_result));

/*
 * 1 if `s` is a valid domain name for the control protocol: [A-Za-z0-9_.-]{1,63}
 * (ctl.h, XENIA_NAME_MAX); 0 otherwise (including NULL).
 */
int xenia_config_name_ok(const char *s);

/*
 * Name of an XENIA_ACTION_* value as written in xl.cfg(5) ("destroy", "preserve",
 * "restart"), or "?" for an unknown value.
 */
const char *xenia_config_action_name(unsigned action);

/*
 * Levenshtein distance with adjacent transpositions (optimal string alignment)
 * between a and b, comparing ASCII letters case-insensitively; strings longer
 * than 63 bytes give a large value (1000). Used for "did you mean" hints.
 */
unsigned xenia_config_distance(const char *a, const char *b);

#endif /* XENIA_TOOLS_CONFIG_H */
