/*
 * Stack switching, the one piece of a green-thread runtime that C cannot express: save the
 * callee-saved registers on the current stack, remember the stack pointer, load another one,
 * restore that stack's registers and return into it. Everything else (run queue, parking) is
 * ordinary C. The switch itself lives in context_switch.c (x86-64 and arm64 assembly).
 */
#ifndef GT_CONTEXT_H
#define GT_CONTEXT_H

#include <stddef.h>

typedef struct gt_context {
    void *sp; /* saved stack pointer; the registers sit on the stack it points into */
} gt_context;

/* Saves the running context into `from` and resumes `to`. Returns when someone switches back. */
void gt_context_switch(gt_context *from, const gt_context *to);

/* Prepares `ctx` so that the first switch to it calls entry() on the given stack. entry must
 * never return: it ends by switching away for good. */
void gt_context_init(gt_context *ctx, void *stack, size_t size, void (*entry)(void));

#endif
