/*
 * netpoll on Linux: epoll with EPOLLONESHOT. After an event the fd stays in the interest list
 * but disarmed until the next park re-arms it with EPOLL_CTL_MOD.
 */
#include "netpoll.h"

#include "common/trace.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

struct netpoll {
    int epfd;
    int wake[2]; /* a pipe: writing a byte makes epoll_wait return */
    atomic_int registered;
};

const char *netpoll_wait_call(void) { return "epoll_wait"; }

netpoll *netpoll_open(void) {
    netpoll *np = calloc(1, sizeof *np);
    if (!np) return NULL;
    np->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (np->epfd < 0 || pipe(np->wake) != 0) {
        if (np->epfd >= 0) close(np->epfd);
        free(np);
        return NULL;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}; /* NULL waiter = the wake pipe */
    epoll_ctl(np->epfd, EPOLL_CTL_ADD, np->wake[0], &ev);
    return np;
}

void netpoll_close(netpoll *np) {
    close(np->wake[0]);
    close(np->wake[1]);
    close(np->epfd);
    free(np);
}

int netpoll_arm(netpoll *np, int fd, wait_kind kind, void *waiter, bool first) {
    struct epoll_event ev = {.events = (kind == WAIT_READ ? EPOLLIN : EPOLLOUT) | EPOLLONESHOT,
                             .data.ptr = waiter};
    int rc = epoll_ctl(np->epfd, first ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
    if (rc == 0 && first) atomic_fetch_add(&np->registered, 1);
    return rc;
}

void netpoll_forget(netpoll *np, int fd) {
    if (epoll_ctl(np->epfd, EPOLL_CTL_DEL, fd, NULL) == 0) atomic_fetch_sub(&np->registered, 1);
}

int netpoll_wait(netpoll *np, void **waiters, int max) {
    struct epoll_event ready[256];
    if (max > 256) max = 256;
    TRACE_WAIT(EPOLL_WAIT_BEGIN, np->epfd, atomic_load(&np->registered));
    int n = epoll_wait(np->epfd, ready, max, -1);
    TRACE(EPOLL_WAIT_END, np->epfd, n < 0 ? -errno : n);
    if (n < 0) return 0; /* EINTR */
    int found = 0;
    for (int i = 0; i < n; i++) {
        /* Hang-up and error wake the waiter too: its read or write then reports them. */
        if (ready[i].data.ptr) waiters[found++] = ready[i].data.ptr;
    }
    return found;
}

void netpoll_wake(netpoll *np) {
    ssize_t rc = write(np->wake[1], "w", 1);
    (void)rc; /* a full pipe already wakes the poller */
}

int netpoll_registered(const netpoll *np) { return atomic_load(&np->registered); }
