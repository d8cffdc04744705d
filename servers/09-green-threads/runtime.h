/*
 * The runtime's insides, shared by scheduler.c (carriers, run queue, poller) and gt_io.c (the
 * calls that park). main.c only sees gt.h.
 */
#ifndef GT_RUNTIME_H
#define GT_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "context.h"
#include "gt.h"
#include "netpoll.h"

typedef enum {
    GT_RUNNABLE, /* in the run queue, waiting for a free carrier */
    GT_RUNNING,  /* mounted on a carrier */
    GT_YIELDING, /* switched out; its carrier puts it back in the run queue */
    GT_PARKING,  /* switched out; its carrier is about to arm the poller for it */
    GT_PARKED,   /* armed in the poller, on no carrier and in no queue */
    GT_FINISHED, /* its function returned; its carrier frees it */
} gt_state;

typedef struct carrier carrier;

typedef struct green_thread {
    long id;
    gt_context ctx;
    void *mapping;      /* the stack mapping, guard page included */
    size_t mapping_size;
    void (*fn)(void *);
    _Alignas(16) unsigned char arg[GT_ARG_MAX];
    int owned_fd;
    gt_state state;
    bool pinned;
    bool was_parked;    /* the next mount is a resume */
    int park_fd;        /* what it waits for while GT_PARKING / GT_PARKED */
    wait_kind park_kind;
    int park_error;     /* errno when the poller refused the fd */
    int armed_fd;       /* the fd it registered in the poller, -1 if none */
    carrier *carrier;   /* where it is mounted (valid while GT_RUNNING) */
    void *asan_fake_stack;
    struct green_thread *run_next;           /* run queue link */
    struct green_thread *all_prev, *all_next; /* every live green thread, for stop */
} green_thread;

struct carrier {
    int index;
    gt_context ctx;            /* the carrier's own stack while a green thread runs */
    green_thread *current;
    const void *stack_bottom;  /* the carrier's stack, as ASan reported it */
    size_t stack_size;
};

/* The green thread running on the calling carrier (NULL on other threads). */
green_thread *gt_current(void);
/* Parks the calling green thread until fd is ready; returns 0 or an errno from the poller. */
int gt_park(int fd, wait_kind kind);
/* Forgets fd in the poller if the calling green thread armed it. */
void gt_disarm(int fd);

#endif
