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

/*
 * Proof model of the server as the AVC sees it (proofs/avc/README.md). The decision for
 * (ssid, tsid, host class) is a function of the server and its sequence number: it can
 * change only when flask_ss_seqno() moves (flask_ss_load, flask_ss_setbool). These logic
 * functions are abstract; the contracts below state that flask_ss_compute() returns
 * them under the current sequence number. The server does not change during an AVC
 * call, so the current sequence number is a plain value within one call.
 */
/*@ axiomatic FlaskDecision {
  @   logic integer av_allowed(struct flask_ss *ss, integer seq, integer s, integer t, integer c);
  @   logic integer av_auditdeny(struct flask_ss *ss, integer seq, integer s, integer t,
  @                              integer c);
  @   logic integer ss_seqno(struct flask_ss *ss);
  @   axiom av_allowed_u32: \forall struct flask_ss *ss, integer seq, s, t, c;
  @     0 <= av_allowed(ss, seq, s, t, c) <= 0xffffffff;
  @   axiom av_auditdeny_u32: \forall struct flask_ss *ss, integer seq, s, t, c;
  @     0 <= av_auditdeny(ss, seq, s, t, c) <= 0xffffffff;
  @   axiom ss_seqno_u32: \forall struct flask_ss *ss; 0 <= ss_seqno(ss) <= 0xffffffff;
  @ }
  @*/

/*@ assigns \nothing;
  @ ensures \result == ss_seqno(ss);
  @*/
uint32_t flask_ss_seqno(const struct flask_ss *ss);

/*@ requires auditdeny == \null || \valid(auditdeny);
  @ assigns *auditdeny;
  @ ensures \result == av_allowed(ss, ss_seqno(ss), ssid, tsid, hclass);
  @ ensures auditdeny != \null ==>
  @         *auditdeny == av_auditdeny(ss, ss_seqno(ss), ssid, tsid, hclass);
  @*/
uint32_t flask_ss_compute(const struct flask_ss *ss, uint32_t ssid, uint32_t tsid,
                          uint32_t hclass, uint32_t *auditdeny);

#endif
