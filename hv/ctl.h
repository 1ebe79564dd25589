/* SPDX-License-Identifier: MIT */
/* Control socket server: see ctl.c and include/xenia/ctl.h. */
#ifndef HV_CTL_H
#define HV_CTL_H

#include <stdint.h>
#include <sys/types.h>

struct hv;

/* One connected control client and its SO_PEERCRED identity. */
struct ctl_client {
    int fd;
    uint32_t uid;
    pid_t pid;
};

/*
 * ctl_client_readable - receive and serve one request from @c.
 * Returns 0 to keep the connection, -1 when the peer has gone (caller closes).
 * Never fails on any client input: a bad message gets an error reply.
 */
int ctl_client_readable(struct hv *hv, struct ctl_client *c);

#endif /* HV_CTL_H */
