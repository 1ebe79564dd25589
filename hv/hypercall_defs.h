/* SPDX-License-Identifier: MIT */
/*
 * The one declarative list of hypercalls (cf. Xen xen/include/hypercall-defs.c).
 * HC(name, number): hypercall.c expands it into the dispatch table; each entry
 * has decode_<name>() (checks only) and invoke_<name>() (effects only).
 */
#define XENIA_HYPERCALL_LIST(HC)                 \
    HC(memory_op,   XENIA_HC_memory_op)          \
    HC(xen_version, XENIA_HC_xen_version)        \
    HC(console_io,  XENIA_HC_console_io)         \
    HC(sched_op,    XENIA_HC_sched_op)           \
    HC(event_channel_op, XENIA_HC_event_channel_op) \
    HC(grant_table_op,   XENIA_HC_grant_table_op) \
    HC(attest_op,        XENIA_HC_attest_op)
