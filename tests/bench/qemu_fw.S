/* SPDX-License-Identifier: MIT */
/*
 * Tiny firmware for the QEMU + KVM peer (tests/bench/run.sh): a 64 KiB image
 * loaded with -bios (QEMU wants a multiple of 64 KiB; it sits at 4 GiB - 64 KiB,
 * the reset vector at offset 0xfff0). Assembled with
 *   as --defsym MODE=m --defsym LOOPS=n qemu_fw.S; objcopy -O binary
 * and always ends by writing 0x11 to isa-debug-exit (port 0xf4): QEMU exits
 * with status (0x11 << 1) | 1 = 35.
 *   MODE 0  real mode (CPL0): LOOPS x `out %al, $0x80`, then exit.
 *   MODE 1  real mode: cli; hlt forever (a halted 16 MiB VM, for memory figures).
 *   MODE 2  switch to 64-bit long mode (identity map, GDT, TSS whose I/O bitmap
 *           allows ports 0x80 and 0xf4), iretq to CPL3, then LOOPS x
 *           `out %al, $0x80` from CPL3 -- the same exit a Xenia hypercall makes,
 *           served by QEMU's user space. The set-up (about 60 instructions)
 *           runs at CPL0, emulated on PVM; it cancels out of the difference
 *           between two LOOPS values.
 * Only position-independent jumps and label differences are used: the object is
 * never linked.
 */
    .code16
    .text
start:
    cli
.if MODE == 1
9:  hlt
    jmp 9b
.endif
.if MODE == 2
    lgdtl %cs:(gdtr_rom - start)
    movl %cr0, %eax
    orl $1, %eax                              /* CR0.PE */
    movl %eax, %cr0
    ljmpl $0x08, $(0xffff0000 + (pm32 - start))
    .code32
pm32:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    /* Page tables in (zeroed) RAM: 0..2 MiB and 4 GiB - 2 MiB..4 GiB, user. */
    movl $0x2007, 0x1000                      /* PML4[0] -> PDPT */
    movl $0x3007, 0x2000                      /* PDPT[0] -> PD (0..1 GiB) */
    movl $0x4007, 0x2018                      /* PDPT[3] -> PD (3..4 GiB) */
    movl $0x00000087, 0x3000                  /* 2 MiB page at 0 */
    movl $0xffe00087, 0x4ff8                  /* 2 MiB page at 0xffe00000 (this ROM) */
    /* GDT copied to RAM at 0x5000 (ltr writes the TSS busy bit). */
    movl $0x5000, %edi
    movl $(0xffff0000 + (gdt - start)), %esi
    movl $16, %ecx
    rep movsl
    lgdtl (0xffff0000 + (gdtr_ram - start))
    /* TSS at 0x6000: I/O map at offset 104, all ports denied but 0x80 and 0xf4. */
    movw $104, 0x6066
    movl $0x6068, %edi
    movl $0xffffffff, %eax
    movl $9, %ecx
    rep stosl
    andb $0xfe, 0x6078                        /* port 0x80: byte 16, bit 0 */
    andb $0xef, 0x6086                        /* port 0xf4: byte 30, bit 4 */
    movl $0x20, %eax                          /* CR4.PAE */
    movl %eax, %cr4
    movl $0x1000, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx                    /* EFER.LME */
    rdmsr
    orl $0x100, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80000000, %eax                     /* CR0.PG */
    movl %eax, %cr0
    ljmpl $0x18, $(0xffff0000 + (lm64 - start))
    .code64
lm64:
    movw $0x30, %ax
    ltr %ax
    movl $0x8000, %esp
    pushq $0x23                               /* ss: user data */
    pushq $0x8000                             /* rsp */
    pushq $0x2                                /* rflags: IF=0, IOPL=0 */
    pushq $0x2b                               /* cs: user 64-bit code */
    movl $(0xffff0000 + (loop - start)), %eax
    pushq %rax
    iretq
.endif
loop:
    movl $LOOPS, %ecx
    testl %ecx, %ecx
    jz 2f
1:  outb %al, $0x80
    decl %ecx
    jnz 1b
2:  movb $0x11, %al
    outb %al, $0xf4
3:  jmp 3b

    .p2align 3
gdt:
    .quad 0
    .quad 0x00cf9b000000ffff                  /* 0x08 32-bit code */
    .quad 0x00cf93000000ffff                  /* 0x10 data */
    .quad 0x00af9b000000ffff                  /* 0x18 64-bit code */
    .quad 0x00cff3000000ffff                  /* 0x23 user data */
    .quad 0x00affb000000ffff                  /* 0x2b user 64-bit code */
    .quad 0x0000890060000088                  /* 0x30 TSS at 0x6000, limit 136 */
    .quad 0
gdtr_rom:
    .word 0x3f
    .long 0xffff0000 + (gdt - start)
gdtr_ram:
    .word 0x3f
    .long 0x5000

    .code16
    .org 0xfff0
    jmp start                                 /* reset vector: CS base 0xffff0000 */
    .org 0x10000
