/*
 * The ae loop: file events, time events, and the turn that ties them together. The readiness
 * backend is picked here at compile time, as Redis does: epoll on Linux, else kqueue on the
 * BSDs and macOS, else select. `make BACKEND=select` (or epoll, kqueue) forces one by defining
 * AE_BACKEND_SELECT (...). Each backend file defines the same static functions:
 *   backend_create, backend_free, backend_add, backend_del, backend_poll,
 *   backend_max_setsize, backend_name, backend_wait_call.
 */
#include "ae.h"

#include "common/trace.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>

#if defined(AE_BACKEND_SELECT)
#include "ae_select.c"
#elif defined(AE_BACKEND_KQUEUE)
#include "ae_kqueue.c"
#elif defined(AE_BACKEND_EPOLL)
#include "ae_epoll.c"
#elif defined(__linux__)
#include "ae_epoll.c"
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include "ae_kqueue.c"
#else
#include "ae_select.c"
#endif


static long long monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *ae_backend_name(void) { return backend_name(); }
const char *ae_backend_wait_call(void) { return backend_wait_call(); }

ae_loop *ae_create_loop(int setsize) {
    if (setsize > backend_max_setsize()) setsize = backend_max_setsize();
    if (setsize <= 0) return NULL;
    ae_loop *loop = calloc(1, sizeof *loop);
    if (!loop) return NULL;
    loop->setsize = setsize;
    loop->maxfd = -1;
    loop->events = calloc((size_t)setsize, sizeof *loop->events);
    loop->fired = calloc((size_t)setsize, sizeof *loop->fired);
    if (!loop->events || !loop->fired || backend_create(loop) != 0) {
        free(loop->events);
        free(loop->fired);
        free(loop);
        return NULL;
    }
    return loop;
}

void ae_delete_loop(ae_loop *loop) {
    if (!loop) return;
    backend_free(loop);
    for (ae_time_event *t = loop->timers, *next; t; t = next) {
        next = t->next;
        free(t);
    }
    free(loop->events);
    free(loop->fired);
    free(loop);
}

void ae_stop(ae_loop *loop) { loop->stop = 1; }

void ae_set_before_sleep(ae_loop *loop, ae_before_sleep_proc *proc) { loop->before_sleep = proc; }

int ae_create_file_event(ae_loop *loop, int fd, int mask, ae_file_proc *proc, void *data) {
    if (fd < 0 || fd >= loop->setsize) {
        errno = ERANGE;
        return AE_ERR;
    }
    ae_file_event *fe = &loop->events[fd];
    if (backend_add(loop, fd, fe->mask, mask) != 0) return AE_ERR;
    if (fe->mask == AE_NONE) loop->registered++;
    fe->mask |= mask;
    if (mask & AE_READABLE) fe->on_readable = proc;
    if (mask & AE_WRITABLE) fe->on_writable = proc;
    fe->data = data;
    if (fd > loop->maxfd) loop->maxfd = fd;
    return AE_OK;
}

void ae_delete_file_event(ae_loop *loop, int fd, int mask) {
    if (fd < 0 || fd >= loop->setsize) return;
    ae_file_event *fe = &loop->events[fd];
    if (fe->mask == AE_NONE) return;
    backend_del(loop, fd, fe->mask, mask);
    fe->mask &= ~mask;
    if (fe->mask != AE_NONE) return;
    loop->registered--;
    if (fd == loop->maxfd) {
        while (loop->maxfd >= 0 && loop->events[loop->maxfd].mask == AE_NONE) loop->maxfd--;
    }
}

int ae_get_file_events(const ae_loop *loop, int fd) {
    if (fd < 0 || fd >= loop->setsize) return AE_NONE;
    return loop->events[fd].mask;
}

long long ae_create_time_event(ae_loop *loop, long long ms, ae_time_proc *proc, void *data) {
    ae_time_event *t = malloc(sizeof *t);
    if (!t) return AE_ERR;
    t->id = loop->next_timer_id++;
    t->when_ms = monotonic_ms() + ms;
    t->proc = proc;
    t->data = data;
    t->next = loop->timers;
    loop->timers = t;
    return t->id;
}

int ae_delete_time_event(ae_loop *loop, long long id) {
    for (ae_time_event *t = loop->timers; t; t = t->next) {
        if (t->id == id) {
            t->id = -1; /* freed by the next pass: a procedure may be running right now */
            return AE_OK;
        }
    }
    return AE_ERR;
}

/* How long the backend may sleep: until the nearest deadline, or forever without timers. */
static long poll_timeout_ms(const ae_loop *loop, int flags) {
    if (flags & AE_DONT_WAIT) return 0;
    if (!(flags & AE_TIME_EVENTS)) return -1;
    long long nearest = LLONG_MAX;
    for (const ae_time_event *t = loop->timers; t; t = t->next) {
        if (t->id != -1 && t->when_ms < nearest) nearest = t->when_ms;
    }
    if (nearest == LLONG_MAX) return -1;
    long long wait = nearest - monotonic_ms();
    if (wait < 0) return 0;
    return wait > INT_MAX ? INT_MAX : (long)wait;
}

static void free_deleted_timers(ae_loop *loop) {
    ae_time_event **link = &loop->timers;
    while (*link) {
        ae_time_event *t = *link;
        if (t->id == -1) {
            *link = t->next;
            free(t);
        } else {
            link = &t->next;
        }
    }
}

static int process_time_events(ae_loop *loop) {
    int processed = 0;
    free_deleted_timers(loop);
    /* Timers created by a procedure during this pass wait for the next one. */
    long long last_id = loop->next_timer_id - 1;
    for (ae_time_event *t = loop->timers; t; t = t->next) {
        if (t->id == -1 || t->id > last_id) continue;
        long long now = monotonic_ms();
        if (t->when_ms > now) continue;
        long long late = now - t->when_ms;
        TRACE(TIMER_FIRED, -1, late * 1000000);
        int next = t->proc(loop, t->id, late, t->data);
        processed++;
        if (next == AE_NOMORE) t->id = -1;
        else t->when_ms = monotonic_ms() + next;
    }
    return processed;
}

static int process_fired(ae_loop *loop, int fired) {
    int processed = 0;
    for (int j = 0; j < fired; j++) {
        int fd = loop->fired[j].fd;
        int mask = loop->fired[j].mask;
        ae_file_event *fe = &loop->events[fd];
        /* An earlier procedure in this batch may have removed the event (closed the peer). */
        ae_file_proc *called = NULL;
        if (fe->mask & mask & AE_READABLE) {
            called = fe->on_readable;
            TRACE(CALLBACK_BEGIN, fd, AE_READABLE);
            called(loop, fd, fe->data, mask);
            TRACE(CALLBACK_END, fd, AE_READABLE);
        }
        if ((fe->mask & mask & AE_WRITABLE) && fe->on_writable != called) {
            TRACE(CALLBACK_BEGIN, fd, AE_WRITABLE);
            fe->on_writable(loop, fd, fe->data, mask);
            TRACE(CALLBACK_END, fd, AE_WRITABLE);
        }
        processed++;
    }
    return processed;
}

int ae_process_events(ae_loop *loop, int flags) {
    if (!(flags & (AE_FILE_EVENTS | AE_TIME_EVENTS))) return 0;
    int processed = 0;
    if ((flags & AE_CALL_BEFORE_SLEEP) && loop->before_sleep) loop->before_sleep(loop);
    long timeout = poll_timeout_ms(loop, flags);
    int fired = backend_poll(loop, timeout); /* traces the wait and each ready fd */
    if (flags & AE_FILE_EVENTS) processed += process_fired(loop, fired);
    if (flags & AE_TIME_EVENTS) processed += process_time_events(loop);
    return processed;
}

void ae_main(ae_loop *loop) {
    loop->stop = 0;
    while (!loop->stop) ae_process_events(loop, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP);
}
