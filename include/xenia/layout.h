/* SPDX-License-Identifier: MIT */
/*
 * Xenia x86-64 PV domain layout: guest-physical map, selectors, and I/O ports.
 *
 * A PV domain runs in 64-bit long mode at CPL3 (Xen x86-64 PV model:
 * guest kernel in ring 3). Guest virtual addresses equal guest physical addresses
 * (identity map built by the domain builder). The low 2 MiB belong to the domain
 * builder and hv: they hold the start-info page (user read-only), the shared page
 * (user read-write) and supervisor-only structures (GDT, IDT, TSS, exception stubs,
 * exception stack, page tables) that the guest can neither read nor write.
 *
 *   GPA 0x0000_0000 .. 0x0000_0fff   unmapped (NULL guard)
 *   GPA 0x0000_1000                  start-info page   (struct xenia_start_info), user RO
 *   GPA 0x0000_2000                  shared page       (struct xenia_shared_page), user RW
 *   GPA 0x0000_3000 .. 0x001f_ffff   builder area: GDT, IDT, TSS, stubs, stacks, page tables
 *                                     (supervisor only)
 *   GPA 0x0020_0000 .. RAM end       image (ELF PT_LOAD segments), heap, guard page, stack
 *   GPA XENIA_IOWIN_GPA ..           I/O window (separate memfd; rings and I/O buffers)
 *   GPA XENIA_GNTMAP_GPA ..          grant-map area (hypercall.h): granted frames of others
 */
#ifndef XENIA_LAYOUT_H
#define XENIA_LAYOUT_H

#include "abi.h"

#define XENIA_START_INFO_GPA   0x1000ull
#define XENIA_SHARED_PAGE_GPA  0x2000ull
#define XENIA_BUILDER_AREA_GPA 0x3000ull
#define XENIA_IMAGE_BASE_MIN   0x200000ull   /* lowest address a PT_LOAD segment may use */
/* Guest-physical addresses stay below 64 GiB: KVM PVM here gives guests 36 physical
 * address bits (a PTE above that faults with a reserved-bit #PF). */
#define XENIA_IOWIN_GPA        0xf00000000ull  /* 60 GiB: above any allowed RAM size */
#define XENIA_IOWIN_DEFAULT_BYTES (1024u * 1024u) /* = XENIA_IOWIN_BYTES (io.h) */

/* Memory size limits (MiB) enforced by hv on create. */
#define XENIA_MEM_MIN_MIB 4u
#define XENIA_MEM_MAX_MIB 32768u   /* 32 GiB: below the I/O window, within 36 bits */

/* Stack the builder gives the guest: at the top of RAM, below it one unmapped guard page. */
#define XENIA_GUEST_STACK_BYTES (64u * 1024u)

/* GDT layout written by the builder and assumed by hv (selectors). */
#define XENIA_SEL_KERNEL_CS 0x08u  /* 64-bit code, DPL0 (exception stubs) */
#define XENIA_SEL_KERNEL_DS 0x10u  /* data, DPL0 */
#define XENIA_SEL_USER_DS   0x1bu  /* data, DPL3 (index 3, RPL 3) */
#define XENIA_SEL_USER_CS   0x23u  /* 64-bit code, DPL3 (index 4, RPL 3) */
#define XENIA_SEL_TSS       0x28u  /* 64-bit TSS descriptor (16 bytes, indexes 5-6) */
#define XENIA_GDT_ENTRIES   7u

/*
 * I/O ports. A hypercall is `outb %al, $XENIA_HCALL_PORT` with the hypercall
 * number in rax and arguments in rdi, rsi, rdx, r10, r8 (Xen x86-64 PV register
 * order); the result comes back in rax. The exception stub for vector V executes
 * `outb %al, $(XENIA_EXC_PORT_BASE + V)` at CPL0 on the exception stack: hv then
 * reads the hardware exception frame and crashes the domain with a register dump.
 */
#define XENIA_HCALL_PORT     0xb0u
/*
 * The TSS carries an I/O permission bitmap (Intel SDM Vol. 1 §19.5.2) that
 * allows only XENIA_HCALL_PORT at CPL3: XENIA_TSS_IOBITMAP_BYTES bytes at
 * offset 104 (ports 0..0xff, bit clear = allowed) plus the 0xff terminator.
 * KVM PVM ignores RFLAGS.IOPL for CPL3 guest code (it reads back as 0), so the
 * bitmap, not IOPL, is what lets the guest trap into hv; any other port faults
 * inside the guest (#GP) and is reported like every other exception.
 */
#define XENIA_TSS_IOBITMAP_OFFSET 104u
#define XENIA_TSS_IOBITMAP_BYTES  32u
#define XENIA_TSS_LIMIT (XENIA_TSS_IOBITMAP_OFFSET + XENIA_TSS_IOBITMAP_BYTES)  /* incl. terminator */
/*
 * Event channel notify port: `outl %eax, $XENIA_EVTCHN_NOTIFY_PORT` with eax =
 * the caller's port sends an event on that port (like EVTCHNOP_send). For ports
 * bound to a stub domain, hv registers a KVM ioeventfd (datamatch = port), so the
 * kick wakes the stub domain in the kernel without an exit to hv's user space;
 * other ports exit to hv, which sends the event. The TSS bitmap allows the four
 * ports XENIA_EVTCHN_NOTIFY_PORT .. +3 (a 32-bit `out` checks all four bits).
 */
#define XENIA_EVTCHN_NOTIFY_PORT 0xb4u
#define XENIA_EXC_PORT_BASE  0xc0u   /* 0xc0 .. 0xdf: vectors 0 .. 31 */
#define XENIA_EXC_VECTORS    32u

#endif /* XENIA_LAYOUT_H */
