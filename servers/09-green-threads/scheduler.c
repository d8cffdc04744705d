/*
 * The scheduler: carrier threads that mount green threads from one run queue, and a poller
 * thread that turns readiness into runnable green threads.
 *
 *   carrier:  pop a runnable green thread -> switch to its stack (mount) -> it runs until it
 *             parks or ends -> back on the carrier's stack (unmount) -> arm the poller for the
 *             parked one, or free the finished one -> pop the next.
 *   poller:   epoll_wait / kevent -> each ready waiter goes to the run queue.
 *
 * Arming happens on the carrier, after the switch: until the green thread's registers are saved
 * nobody else may resume it, and from the moment it is armed any carrier may. One-shot
 * registration makes each park end in exactly one resume.
 */
#include "runtime.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "fiber_sanitizer.h"
#include "gt.h"
#include "common/trace.h"

#ifndef MAP_STACK
#define MAP_STACK 0
#endif

/* Plenty for a handler with a 4 KiB buffer, even with ASan's larger frames; pages that are never
 * touched cost no memory. */
#define GT_STACK_SIZE (256 * 1024)

static struct {
    pthread_mutex_t lock; /* guards the run queue, the registry and `stopping` */
    pthread_cond_t runnable;
    green_thread *run_head, *run_tail;
    green_thread *all;
    long next_id;
    bool stopping;
    atomic_bool poller_stopping;
    atomic_int threads_alive; /* the runtime's OS threads: the poller and the carriers */
    int ncarriers;
    carrier *carriers;
    pthread_t *carrier_threads;
    pthread_t poller_thread;
    netpoll *poller;
} rt = {.lock = PTHREAD_MUTEX_INITIALIZER, .runnable = PTHREAD_COND_INITIALIZER};

static _Thread_local carrier *this_carrier;

/*
 * Green-thread code must not cache anything thread-local across a park: it may resume on
 * another carrier. Reading the carrier through a call the compiler cannot see into keeps every
 * read fresh (the same reason gt_io.c reads errno through a function).
 */
__attribute__((noinline)) static carrier *current_carrier(void) { return this_carrier; }

green_thread *gt_current(void) {
    carrier *c = current_carrier();
    return c ? c->current : NULL;
}

const char *gt_poller_wait_call(void) { return netpoll_wait_call(); }

long gt_id(void) { return gt_current()->id; }
int gt_carrier_index(void) { return gt_current()->carrier->index; }

/* ---- run queue ---------------------------------------------------------------------------- */

static void runq_push(green_thread *g) {
    pthread_mutex_lock(&rt.lock);
    g->state = GT_RUNNABLE;
    g->run_next = NULL;
    if (rt.run_tail) rt.run_tail->run_next = g;
    else rt.run_head = g;
    rt.run_tail = g;
    pthread_cond_signal(&rt.runnable);
    pthread_mutex_unlock(&rt.lock);
}

/* Waits for a runnable green thread; NULL once the runtime stops. */
static green_thread *runq_pop(void) {
    trace_flush(); /* the carrier may sleep now: let the view see what it did */
    pthread_mutex_lock(&rt.lock);
    while (!rt.run_head && !rt.stopping) pthread_cond_wait(&rt.runnable, &rt.lock);
    green_thread *g = NULL;
    if (!rt.stopping) {
        g = rt.run_head;
        rt.run_head = g->run_next;
        if (!rt.run_head) rt.run_tail = NULL;
    }
    pthread_mutex_unlock(&rt.lock);
    return g;
}

/* ---- stacks and the green thread's first and last moments --------------------------------- */

static void free_green_thread(green_thread *g) {
    pthread_mutex_lock(&rt.lock);
    if (g->all_prev) g->all_prev->all_next = g->all_next;
    else rt.all = g->all_next;
    if (g->all_next) g->all_next->all_prev = g->all_prev;
    pthread_mutex_unlock(&rt.lock);
    fiber_stack_release(g->mapping, g->mapping_size);
    munmap(g->mapping, g->mapping_size);
    free(g);
}

/* Leaves the green thread's stack for its carrier's; returns when a carrier mounts it again. */
static void switch_to_carrier(green_thread *g, bool finished) {
    carrier *c = g->carrier;
    fiber_switch_begin(finished ? NULL : &g->asan_fake_stack, c->stack_bottom, c->stack_size);
    gt_context_switch(&g->ctx, &c->ctx);
    /* Resumed, possibly by another carrier: mount() has updated g->carrier. */
    c = g->carrier;
    fiber_switch_end(g->asan_fake_stack, &c->stack_bottom, &c->stack_size);
}

static void green_thread_entry(void) {
    green_thread *g = gt_current();
    carrier *c = g->carrier;
    fiber_switch_end(NULL, &c->stack_bottom, &c->stack_size);
    g->fn(g->arg);
    g->state = GT_FINISHED;
    switch_to_carrier(g, true); /* never returns: the carrier frees this stack */
    abort();
}

long gt_spawn(void (*fn)(void *), const void *arg, size_t arg_size, int owned_fd) {
    if (arg_size > GT_ARG_MAX) {
        errno = EINVAL;
        return -1;
    }
    green_thread *g = calloc(1, sizeof *g);
    if (!g) return -1;
    long page = sysconf(_SC_PAGESIZE);
    g->mapping_size = GT_STACK_SIZE + (size_t)page;
    g->mapping = mmap(NULL, g->mapping_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (g->mapping == MAP_FAILED) {
        free(g);
        return -1;
    }
    /* The lowest page stays inaccessible: an overflow faults instead of corrupting memory. */
    mprotect(g->mapping, (size_t)page, PROT_NONE);
    gt_context_init(&g->ctx, (char *)g->mapping + page, GT_STACK_SIZE, green_thread_entry);
    g->fn = fn;
    if (arg_size > 0) memcpy(g->arg, arg, arg_size);
    g->owned_fd = owned_fd;
    g->armed_fd = -1;
    g->park_fd = -1;
    pthread_mutex_lock(&rt.lock);
    g->id = ++rt.next_id;
    g->all_next = rt.all;
    if (rt.all) rt.all->all_prev = g;
    rt.all = g;
    pthread_mutex_unlock(&rt.lock);
    long id = g->id;
    TRACE(GREEN_STARTED, owned_fd, id);
    runq_push(g); /* from here another carrier may already run (and even finish) it */
    return id;
}

/* ---- mount, park, unmount ------------------------------------------------------------------ */

static void mount(carrier *c, green_thread *g) {
    g->carrier = c;
    g->state = GT_RUNNING;
    c->current = g;
    if (g->was_parked) {
        g->was_parked = false;
        log_event("g%ld resumed on carrier %d", g->id, c->index);
    }
    TRACE(GREEN_MOUNTED, g->park_fd, g->id);
    void *fake_stack = NULL;
    fiber_switch_begin(&fake_stack, (char *)g->mapping + (g->mapping_size - GT_STACK_SIZE), GT_STACK_SIZE);
    gt_context_switch(&c->ctx, &g->ctx);
    fiber_switch_end(fake_stack, NULL, NULL);
    c->current = NULL;
}

int gt_park(int fd, wait_kind kind) {
    green_thread *g = gt_current();
    g->park_fd = fd;
    g->park_kind = kind;
    g->park_error = 0;
    g->state = GT_PARKING;
    switch_to_carrier(g, false);
    return g->park_error;
}

void gt_yield(void) {
    green_thread *g = gt_current();
    g->state = GT_YIELDING;
    switch_to_carrier(g, false);
}

void gt_disarm(int fd) {
    green_thread *g = gt_current();
    if (g && g->armed_fd == fd) {
        netpoll_forget(rt.poller, fd);
        g->armed_fd = -1;
    }
}

/* On the carrier's stack again: finish what the green thread asked for when it switched out. */
static void unmounted(carrier *c, green_thread *g) {
    TRACE(GREEN_UNMOUNTED, -1, g->id);
    if (g->state == GT_FINISHED) {
        log_event("g%ld finished on carrier %d", g->id, c->index);
        TRACE(GREEN_EXITED, g->owned_fd, g->id);
        if (g->armed_fd >= 0) netpoll_forget(rt.poller, g->armed_fd);
        free_green_thread(g);
        return;
    }
    if (g->state == GT_YIELDING) {
        runq_push(g);
        return;
    }
    /* GT_PARKING */
    int fd = g->park_fd;
    wait_kind kind = g->park_kind;
    bool first = g->armed_fd != fd;
    if (first && g->armed_fd >= 0) netpoll_forget(rt.poller, g->armed_fd);
    g->armed_fd = fd;
    g->was_parked = true;
    g->state = GT_PARKED;
    log_event("g%ld parked on fd %d (%s), carrier %d is free", g->id, fd, kind == WAIT_READ ? "read" : "write", c->index);
    TRACE(GREEN_PARKED, fd, g->id);
    if (netpoll_arm(rt.poller, fd, kind, g, first) != 0) {
        g->park_error = errno;
        g->armed_fd = -1;
        runq_push(g); /* its I/O call returns the error */
    }
    /* From here the poller may hand g to another carrier at any moment: do not touch it. */
}

static void *carrier_main(void *arg) {
    carrier *c = arg;
    this_carrier = c;
    TRACE_NAME_THREAD("carrier %d", c->index);
    TRACE(THREAD_STARTED, -1, atomic_fetch_add(&rt.threads_alive, 1) + 1);
    for (green_thread *g; (g = runq_pop()) != NULL;) {
        mount(c, g);
        unmounted(c, g);
    }
    TRACE(THREAD_EXITED, -1, atomic_fetch_sub(&rt.threads_alive, 1) - 1);
    trace_flush();
    return NULL;
}

static void *poller_main(void *arg) {
    (void)arg;
    TRACE_NAME_THREAD("poller");
    TRACE(THREAD_STARTED, -1, atomic_fetch_add(&rt.threads_alive, 1) + 1);
    void *ready[256];
    while (!atomic_load(&rt.poller_stopping)) {
        int n = netpoll_wait(rt.poller, ready, 256); /* traces the wait and each ready fd */
        for (int i = 0; i < n; i++) {
            green_thread *g = ready[i];
            TRACE(READY_FD, g->park_fd, g->park_kind == WAIT_READ ? TRACE_READY_READ : TRACE_READY_WRITE);
            TRACE(GREEN_RESUMED, g->park_fd, g->id);
            runq_push(g);
        }
    }
    TRACE(THREAD_EXITED, -1, atomic_fetch_sub(&rt.threads_alive, 1) - 1);
    trace_flush();
    return NULL;
}

/* ---- start and stop ----------------------------------------------------------------------- */

int gt_runtime_start(int carriers) {
    rt.poller = netpoll_open();
    rt.carriers = calloc((size_t)carriers, sizeof *rt.carriers);
    rt.carrier_threads = calloc((size_t)carriers, sizeof *rt.carrier_threads);
    if (!rt.poller || !rt.carriers || !rt.carrier_threads) return -1;
    /* Only the main thread takes SIGINT/SIGTERM: carriers and the poller never see EINTR. */
    sigset_t stop_signals, old;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
    int rc = pthread_create(&rt.poller_thread, NULL, poller_main, NULL);
    for (int i = 0; rc == 0 && i < carriers; i++) {
        rt.carriers[i].index = i;
        rc = pthread_create(&rt.carrier_threads[i], NULL, carrier_main, &rt.carriers[i]);
        if (rc == 0) rt.ncarriers++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) errno = rc;
    return rc == 0 ? 0 : -1;
}

void gt_runtime_stop(void) {
    pthread_mutex_lock(&rt.lock);
    rt.stopping = true;
    pthread_cond_broadcast(&rt.runnable);
    pthread_mutex_unlock(&rt.lock);
    atomic_store(&rt.poller_stopping, true);
    netpoll_wake(rt.poller);
    pthread_join(rt.poller_thread, NULL);
    /* A carrier finishes the slice it is running (a computing green thread runs to its next park). */
    for (int i = 0; i < rt.ncarriers; i++) pthread_join(rt.carrier_threads[i], NULL);
    while (rt.all) {
        green_thread *g = rt.all;
        if (g->owned_fd >= 0) close(g->owned_fd);
        free_green_thread(g);
    }
    netpoll_close(rt.poller);
    free(rt.carriers);
    free(rt.carrier_threads);
}
