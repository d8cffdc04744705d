/*
 * ae backend: Linux epoll, level-triggered. Included by ae.c, never compiled on its own.
 * Each fd is added to the kernel's interest list once (EPOLL_CTL_ADD) and then only modified,
 * and epoll_wait returns just the ready fds, so a turn costs O(ready), not O(registered).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

typedef struct backend_state {
    int epfd;
    struct epoll_event *ready; /* [setsize], filled by epoll_wait */
} backend_state;

static const char *backend_name(void) { return "epoll"; }
static const char *backend_wait_call(void) { return "epoll_wait"; }
static int backend_max_setsize(void) { return 1 << 24; }

static int backend_create(ae_loop *loop) {
    backend_state *st = calloc(1, sizeof *st);
    if (!st) return -1;
    st->ready = calloc((size_t)loop->setsize, sizeof *st->ready);
    st->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!st->ready || st->epfd < 0) {
        if (st->epfd >= 0) close(st->epfd);
        free(st->ready);
        free(st);
        return -1;
    }
    loop->backend = st;
    return 0;
}

static void backend_free(ae_loop *loop) {
    backend_state *st = loop->backend;
    close(st->epfd);
    free(st->ready);
    free(st);
}

static uint32_t epoll_interest(int mask) {
    return ((mask & AE_READABLE) ? EPOLLIN : 0) | ((mask & AE_WRITABLE) ? EPOLLOUT : 0);
}

static int backend_add(ae_loop *loop, int fd, int old_mask, int add_mask) {
    backend_state *st = loop->backend;
    struct epoll_event ev = {.events = epoll_interest(old_mask | add_mask), .data.fd = fd};
    return epoll_ctl(st->epfd, old_mask == AE_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
}

static void backend_del(ae_loop *loop, int fd, int old_mask, int del_mask) {
    backend_state *st = loop->backend;
    int left = old_mask & ~del_mask;
    struct epoll_event ev = {.events = epoll_interest(left), .data.fd = fd};
    /* A failure here means the fd is already closed, which removed it from the set anyway. */
    (void)epoll_ctl(st->epfd, left == AE_NONE ? EPOLL_CTL_DEL : EPOLL_CTL_MOD, fd, &ev);
}

static int backend_poll(ae_loop *loop, long timeout_ms) {
    backend_state *st = loop->backend;
    TRACE_WAIT(EPOLL_WAIT_BEGIN, st->epfd, loop->registered);
    int n = epoll_wait(st->epfd, st->ready, loop->setsize, (int)timeout_ms);
    TRACE(EPOLL_WAIT_END, st->epfd, n < 0 ? -errno : n);
    if (n < 0) return 0; /* EINTR: a signal; the caller's loop checks its stop flag */
    for (int j = 0; j < n; j++) {
        uint32_t e = st->ready[j].events;
        int mask = 0;
        if (e & EPOLLIN) mask |= AE_READABLE;
        if (e & EPOLLOUT) mask |= AE_WRITABLE;
        /* Hang-up and error are reported whatever was asked: let the procedures find out
         * through their own read/write, which then fails and closes the peer. */
        if (e & (EPOLLERR | EPOLLHUP)) mask |= AE_READABLE | AE_WRITABLE;
        loop->fired[j].fd = st->ready[j].data.fd;
        loop->fired[j].mask = mask;
        TRACE(READY_FD, st->ready[j].data.fd, mask | ((e & (EPOLLERR | EPOLLHUP)) ? TRACE_READY_ERROR : 0));
    }
    return n;
}
