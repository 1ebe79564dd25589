/* SPDX-License-Identifier: MIT */
/*
 * Xenia PV guest SDK: hypercalls, console, time, events, shutdown.
 *
 * A PV guest runs in 64-bit long mode at CPL3 with IOPL=3, identity mapped
 * (VA == GPA), see include/xenia/layout.h. crt0.S calls xenia_c_start(), which
 * sets up the heap and calls the program's `int main(void)`; when main returns
 * the domain shuts down (poweroff if main returned 0, crash otherwise).
 */
#ifndef XENIA_GUEST_H
#define XENIA_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/abi.h>
#include <xenia/hypercall.h>
#include <xenia/layout.h>
#include <xenia/shared.h>
#include <xenia/start_info.h>

#include <xenia/libc.h>

/* The program's entry point, called by xenia_c_start(). */
int main(void);

/* ------------------------------------------------------------------------- */
/* Raw hypercalls (layout.h): rax = nr, args in rdi, rsi, rdx, r10, r8;      */
/* `outb %al, $0xb0`; result in rax (>= 0, or -XENIA_Exxx). hv preserves     */
/* every other register. The "memory" clobber orders guest buffers.          */
/* ------------------------------------------------------------------------- */
static inline long xenia_hypercall5(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
                                    uint64_t a4, uint64_t a5)
{
    long ret;
    register uint64_t r10 __asm__("r10") = a4;
    register uint64_t r8 __asm__("r8") = a5;

    __asm__ volatile("outb %%al, %[port]"
                     : "=a"(ret)
                     : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
                       [port] "N"(XENIA_HCALL_PORT)
                     : "memory");
    return ret;
}

static inline long xenia_hypercall3(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return xenia_hypercall5(nr, a1, a2, a3, 0, 0);
}

static inline long xenia_hypercall2(uint64_t nr, uint64_t a1, uint64_t a2)
{
    return xenia_hypercall5(nr, a1, a2, 0, 0, 0);
}

/* Guest address of a pointer, for hypercall arguments. */
#define XENIA_GVA(p) ((uint64_t)(uintptr_t)(p))

/*
 * Pointer to guest address gva (VA == GPA), hidden from the optimiser so that
 * deliberate accesses to fixed addresses (start-info page, tests) are neither
 * diagnosed as out of bounds nor folded away.
 */
static inline void *xenia_gva_ptr(uint64_t gva)
{
    __asm__("" : "+r"(gva));
    return (void *)(uintptr_t)gva;
}

/* console_io(cmd, count, buffer): hypercall.h. */
static inline long xenia_console_io(uint64_t cmd, uint64_t count, uint64_t buf)
{
    return xenia_hypercall3(XENIA_HC_console_io, cmd, count, buf);
}

/* sched_op(cmd, arg): hypercall.h. */
static inline long xenia_sched_op(uint64_t cmd, uint64_t arg)
{
    return xenia_hypercall2(XENIA_HC_sched_op, cmd, arg);
}

/* xen_version(cmd, arg): hypercall.h. */
static inline long xenia_xen_version(uint64_t cmd, uint64_t arg)
{
    return xenia_hypercall2(XENIA_HC_xen_version, cmd, arg);
}

/* memory_op(cmd, arg): hypercall.h. */
static inline long xenia_memory_op(uint64_t cmd, uint64_t arg)
{
    return xenia_hypercall2(XENIA_HC_memory_op, cmd, arg);
}

/* ------------------------------------------------------------------------- */
/* Start-up, console, scheduling, time                                       */
/* ------------------------------------------------------------------------- */

/* Called by crt0 with rdi = start-info GPA; never returns. */
void xenia_c_start(const struct xenia_start_info *si) __attribute__((noreturn));

/* The start-info page (read-only) and the shared page of this domain. */
const struct xenia_start_info *xenia_start_info(void);
volatile struct xenia_shared_page *xenia_shared(void);

/* The NUL-terminated command line from the start-info page. */
const char *xenia_cmdline(void);

/* Value of word "key=N" on the command line as an unsigned decimal (saturating
 * at UINT64_MAX; digits up to the first non-digit), or @dflt when absent. */
uint64_t xenia_cmdline_num(const char *key, uint64_t dflt);

/* 1 if the command line has the word @w (space separated), else 0. */
int xenia_cmdline_flag(const char *w);

/*
 * Write len bytes to the domain console, in XENIA_CONSOLEIO_MAX chunks.
 * Returns len, or the first negative XENIA_E* error. Unbuffered: printf()
 * output still in the buffer is flushed first, to keep order.
 */
long xenia_console_write(const void *buf, size_t len);

/* Read up to len (<= XENIA_CONSOLEIO_MAX) bytes of console input; returns
 * the count read (0 if none is pending) or a negative XENIA_E* error. */
long xenia_console_read(void *buf, size_t len);

/* Flush buffered printf() output to the console. */
void xenia_console_flush(void);

/* SCHEDOP_yield. Returns 0 or a negative XENIA_E*. */
long xenia_yield(void);

/*
 * SCHEDOP_block until an unmasked event is pending (returns 0) or the
 * absolute system time deadline_ns (xenia_now_ns() clock; 0 = no deadline)
 * passes (returns -XENIA_ETIME).
 */
long xenia_block(uint64_t deadline_ns);

/*
 * Nanoseconds of system time (since the domain was built) from the shared
 * page's pvclock (shared.h; Linux arch/x86/include/asm/pvclock.h).
 */
uint64_t xenia_now_ns(void);

/* SCHEDOP_shutdown with the given reason; returns only on error (negative). */
long xenia_shutdown_op(uint32_t reason);

/*
 * Flush the console and shut the domain down with reason (XENIA_SHUTDOWN_*).
 * If hv refuses the reason, falls back to crash, then to a fault (ud2).
 */
void xenia_shutdown(uint32_t reason) __attribute__((noreturn));

/* Print "PANIC: <message>" and shut down with XENIA_SHUTDOWN_crash. */
void xenia_panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ------------------------------------------------------------------------- */
/* Event channels (shared.h): hv sets pending bits with an atomic OR; the    */
/* guest clears them with `lock btr`. Ports are < XENIA_NR_EVENT_PORTS.      */
/* ------------------------------------------------------------------------- */

/* Atomically clear bit `bit` of *word; returns its previous value (0/1). */
static inline int xenia_test_and_clear_bit(volatile uint64_t *word, unsigned bit)
{
    unsigned char old;

    __asm__ volatile("lock btrq %2, %0\n\tsetc %1"
                     : "+m"(*word), "=qm"(old)
                     : "Ir"((uint64_t)(bit & 63))
                     : "memory", "cc");
    return old;
}

/* Atomically set bit `bit` of *word; returns its previous value (0/1). */
static inline int xenia_test_and_set_bit(volatile uint64_t *word, unsigned bit)
{
    unsigned char old;

    __asm__ volatile("lock btsq %2, %0\n\tsetc %1"
                     : "+m"(*word), "=qm"(old)
                     : "Ir"((uint64_t)(bit & 63))
                     : "memory", "cc");
    return old;
}

/* Is `port` pending? (no side effect) */
static inline int xenia_evtchn_is_pending(unsigned port)
{
    if (port >= XENIA_NR_EVENT_PORTS)
        return 0;
    return (int)((xenia_shared()->evtchn_pending[port / 64] >> (port % 64)) & 1);
}

/* Clear `port`'s pending bit; returns whether it was set. */
static inline int xenia_evtchn_test_and_clear(unsigned port)
{
    if (port >= XENIA_NR_EVENT_PORTS)
        return 0;
    return xenia_test_and_clear_bit(&xenia_shared()->evtchn_pending[port / 64], port % 64);
}

/* Mask `port`: it no longer wakes SCHEDOP_block. */
static inline void xenia_evtchn_mask(unsigned port)
{
    if (port < XENIA_NR_EVENT_PORTS)
        (void)xenia_test_and_set_bit(&xenia_shared()->evtchn_mask[port / 64], port % 64);
}

/* Unmask `port`. */
static inline void xenia_evtchn_unmask(unsigned port)
{
    if (port < XENIA_NR_EVENT_PORTS)
        (void)xenia_test_and_clear_bit(&xenia_shared()->evtchn_mask[port / 64], port % 64);
}

/* Heap set-up (xenia_c_start does this from the start-info page). */
void xenia_heap_init(void *base, size_t bytes);

/* Bytes currently free in the heap (sum of free blocks, headers included). */
size_t xenia_heap_free_bytes(void);

#endif /* XENIA_GUEST_H */
