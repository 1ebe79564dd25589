/* SPDX-License-Identifier: MIT */
/*
 * Internal to xsm/flask/: what the AVC (avc.c) needs from the server (server.c)
 * beyond the public API of ss.h. Not for use outside xsm/flask/.
 */
#ifndef XENIA_FLASK_PRIV_H
#define XENIA_FLASK_PRIV_H

#include "xsm/flask/ss.h"

/* The host class hclass (1..nhosts) of the table given to flask_ss_new, or NULL. */
const struct ss_host_class *flask_ss_host_class(const struct flask_ss *ss, uint32_t hclass);

#endif
