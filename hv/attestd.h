/* SPDX-License-Identifier: MIT */
/*
 * The host side of the attestation agent (stubdoms/attest, role "attest", one
 * per host, context system_u:system_r:attest_t:s0-s0:c0.c255): hv makes the
 * listening TCP socket, starts the agent confined (hv/stubdom.c) with exactly
 * that socket and an IPC socketpair (include/xenia/attest.h), answers its
 * requests after XSM checks (attest:quote, attest:read_log, domain:getinfo),
 * and restarts it when it dies (each restart measured into PCR 8).
 * Main thread only.
 */
#ifndef HV_ATTESTD_H
#define HV_ATTESTD_H

#include <stddef.h>

struct hv;

/*
 * attestd_start - bind @listen ("HOST:PORT", port 0 = any; "none" = no agent),
 * write the bound port to <run-dir>/attest.port and start the agent.
 * Returns 0 (also when disabled) or -errno with a reason in @err.
 */
int attestd_start(struct hv *hv, const char *listen, char *err, size_t errlen);

/* attestd_stop - kill the agent and close the sockets. */
void attestd_stop(void);

/* The fds the main loop polls (-1 when none): IPC readable, agent exited. */
int attestd_ipc_fd(void);
int attestd_pid_fd(void);

/* attestd_ipc_readable - serve one request from the agent; a malformed one
 * kills the agent (it is restarted). */
void attestd_ipc_readable(void);

/* attestd_exited - the agent's pidfd became readable: reap, log why, restart
 * (at most 20 restarts in 10 s). */
void attestd_exited(void);

#endif /* HV_ATTESTD_H */
