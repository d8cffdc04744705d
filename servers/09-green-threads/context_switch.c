/*
 * gt_context_switch for the two CPUs this project meets (x86-64: Linux, WSL, Intel Macs;
 * arm64: Apple silicon, Linux on ARM). Only callee-saved state is switched: the C compiler
 * already treats the call as clobbering everything else. The arm64 version follows the AAPCS64
 * rules (x19-x29, lr, sp, d8-d15 are callee-saved); test/servers/arm64.test.ts cross-builds it
 * and checks every one of them under qemu-aarch64.
 */
#include "context.h"

#include <stdint.h>
#include <string.h>

#if defined(__APPLE__)
#define GT_SYM "_gt_context_switch"
#else
#define GT_SYM "gt_context_switch"
#endif

#if defined(__x86_64__)

/* Frame on a stack that is switched out, from the saved sp upward:
 *   [mxcsr | x87 control word] r15 r14 r13 r12 rbx rbp <return address> */
__asm__(".text\n"
        ".globl " GT_SYM "\n"
        GT_SYM ":\n"
        "  pushq %rbp\n"
        "  pushq %rbx\n"
        "  pushq %r12\n"
        "  pushq %r13\n"
        "  pushq %r14\n"
        "  pushq %r15\n"
        "  subq $8, %rsp\n"
        "  stmxcsr (%rsp)\n"
        "  fnstcw 4(%rsp)\n"
        "  movq %rsp, (%rdi)\n" /* from->sp */
        "  movq (%rsi), %rsp\n" /* to->sp */
        "  ldmxcsr (%rsp)\n"
        "  fldcw 4(%rsp)\n"
        "  addq $8, %rsp\n"
        "  popq %r15\n"
        "  popq %r14\n"
        "  popq %r13\n"
        "  popq %r12\n"
        "  popq %rbx\n"
        "  popq %rbp\n"
        "  ret\n");

void gt_context_init(gt_context *ctx, void *stack, size_t size, void (*entry)(void)) {
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    uint64_t *slot = (uint64_t *)top;
    *--slot = 0;                            /* entry's return address: it never returns */
    *--slot = (uint64_t)(uintptr_t)entry;   /* popped by `ret` */
    for (int i = 0; i < 6; i++) *--slot = 0; /* rbp rbx r12 r13 r14 r15 */
    uint32_t csr[2] = {0x1F80, 0x037F};     /* default mxcsr and x87 control word */
    slot--;
    memcpy(slot, csr, sizeof csr);
    ctx->sp = slot;
    /* At entry sp = top - 8: the alignment a call leaves (sp + 8 is a multiple of 16). */
}

#elif defined(__aarch64__) || defined(__arm64__)

/* Frame on a stack that is switched out, from the saved sp upward (160 bytes):
 *   x19..x28, x29 (fp), x30 (lr: where `ret` goes), d8..d15 */
__asm__(".text\n"
        ".globl " GT_SYM "\n"
        ".p2align 2\n"
        GT_SYM ":\n"
        "  sub sp, sp, #160\n"
        "  stp x19, x20, [sp, #0]\n"
        "  stp x21, x22, [sp, #16]\n"
        "  stp x23, x24, [sp, #32]\n"
        "  stp x25, x26, [sp, #48]\n"
        "  stp x27, x28, [sp, #64]\n"
        "  stp x29, x30, [sp, #80]\n"
        "  stp d8, d9, [sp, #96]\n"
        "  stp d10, d11, [sp, #112]\n"
        "  stp d12, d13, [sp, #128]\n"
        "  stp d14, d15, [sp, #144]\n"
        "  mov x9, sp\n"
        "  str x9, [x0]\n" /* from->sp */
        "  ldr x9, [x1]\n" /* to->sp */
        "  mov sp, x9\n"
        "  ldp x19, x20, [sp, #0]\n"
        "  ldp x21, x22, [sp, #16]\n"
        "  ldp x23, x24, [sp, #32]\n"
        "  ldp x25, x26, [sp, #48]\n"
        "  ldp x27, x28, [sp, #64]\n"
        "  ldp x29, x30, [sp, #80]\n"
        "  ldp d8, d9, [sp, #96]\n"
        "  ldp d10, d11, [sp, #112]\n"
        "  ldp d12, d13, [sp, #128]\n"
        "  ldp d14, d15, [sp, #144]\n"
        "  add sp, sp, #160\n"
        "  ret\n");

void gt_context_init(gt_context *ctx, void *stack, size_t size, void (*entry)(void)) {
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    uint64_t *frame = (uint64_t *)(top - 160);
    memset(frame, 0, 160);
    frame[11] = (uint64_t)(uintptr_t)entry; /* x30: `ret` jumps to entry with sp = top */
    ctx->sp = frame;
}

#else
#error "gt_context_switch has no version for this CPU yet (x86-64 and arm64 only)"
#endif
