/* SPDX-License-Identifier: MIT */
/*
 * The `xenia-policy` sub-commands implemented outside policy/xenia-policy.c.
 * Each takes the sub-command's argv (argv[0] is the sub-command name, e.g.
 * "analyze") and returns the process exit status.
 */
#ifndef XENIA_POLICY_CMDS_H
#define XENIA_POLICY_CMDS_H

#include <stddef.h>
#include <stdint.h>

/*
 * pol_read_file (policy/xenia-policy.c) — read a whole file (at most POL_MAX_SRC
 * bytes) into a malloc'd buffer, NUL-terminated after *outlen bytes.
 * Errors: -errno from fopen, -E2BIG, -ENOMEM, -EIO.
 */
int pol_read_file(const char *path, uint8_t **out, size_t *outlen);

/* policy/cmd_analyze.c: analyze POLICY.xpol LABEL_A LABEL_B — 0 no flow, 2 flow, 1 error */
int cmd_analyze(int argc, char **argv);
/* policy/cmd_analyze.c: check-isolation POLICY.xpol — 0 isolated, 2 a flow, 1 error */
int cmd_check_isolation(int argc, char **argv);
/* policy/cmd_analyze.c: audit2allow [-p POLICY.xpol] [FILE|-] — 0, or 1 on error */
int cmd_audit2allow(int argc, char **argv);

#endif
