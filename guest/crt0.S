/* SPDX-License-Identifier: MIT */
/*
 * PV guest entry point. The domain builder starts the vCPU here at CPL3 with
 * rdi = start-info GPA and rsp = top of the stack (16-byte aligned), bss
 * already zeroed. Calls xenia_c_start(si) with the SysV AMD64 alignment
 * (rsp + 8 is 16-byte aligned at the callee's entry).
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    xorl    %ebp, %ebp          /* end of frame-pointer chain */
    andq    $-16, %rsp
    call    xenia_c_start       /* noreturn */
1:  ud2
    jmp     1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
