/*
 * netpoll on macOS and the BSDs: kqueue with EV_ONESHOT, which deletes the filter once it fires,
 * so every park adds it again. Kept small and in the same shape as netpoll_epoll.c. On Linux the
 * tests run it against a kqueue emulation (test/servers/kqueue.test.ts).
 */
#include "netpoll.h"

#include "common/trace.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

struct netpoll {
    int kq;
    int wake[2]; /* a pipe: writing a byte makes kevent return */
    atomic_int registered;
};

const char *netpoll_wait_call(void) { return "kevent"; }

netpoll *netpoll_open(void) {
    netpoll *np = calloc(1, sizeof *np);
    if (!np) return NULL;
    np->kq = kqueue();
    if (np->kq < 0 || pipe(np->wake) != 0) {
        if (np->kq >= 0) close(np->kq);
        free(np);
        return NULL;
    }
    struct kevent ev;
    EV_SET(&ev, np->wake[0], EVFILT_READ, EV_ADD, 0, 0, NULL); /* NULL waiter = the wake pipe */
    kevent(np->kq, &ev, 1, NULL, 0, NULL);
    return np;
}

void netpoll_close(netpoll *np) {
    close(np->wake[0]);
    close(np->wake[1]);
    close(np->kq);
    free(np);
}

int netpoll_arm(netpoll *np, int fd, wait_kind kind, void *waiter, bool first) {
    struct kevent ev;
    EV_SET(&ev, fd, kind == WAIT_READ ? EVFILT_READ : EVFILT_WRITE, EV_ADD | EV_ONESHOT, 0, 0, waiter);
    int rc = kevent(np->kq, &ev, 1, NULL, 0, NULL);
    if (rc == 0 && first) atomic_fetch_add(&np->registered, 1);
    return rc;
}

void netpoll_forget(netpoll *np, int fd) {
    /* One-shot filters are gone once they fired, and close() drops any that did not. */
    (void)fd;
    atomic_fetch_sub(&np->registered, 1);
}

int netpoll_wait(netpoll *np, void **waiters, int max) {
    struct kevent ready[256];
    if (max > 256) max = 256;
    TRACE_WAIT(KEVENT_BEGIN, np->kq, atomic_load(&np->registered));
    int n = kevent(np->kq, NULL, 0, ready, max, NULL);
    TRACE(KEVENT_END, np->kq, n < 0 ? -errno : n);
    if (n < 0) return 0; /* EINTR */
    int found = 0;
    for (int i = 0; i < n; i++) {
        /* EV_EOF and EV_ERROR wake the waiter too: its read or write then reports them. */
        if (ready[i].udata) waiters[found++] = ready[i].udata;
    }
    return found;
}

void netpoll_wake(netpoll *np) {
    ssize_t rc = write(np->wake[1], "w", 1);
    (void)rc; /* a full pipe already wakes the poller */
}

int netpoll_registered(const netpoll *np) { return atomic_load(&np->registered); }
