/*
 * readiness.h with Linux epoll. One epoll instance holds the interest list in the kernel: an fd
 * is added once (EPOLL_CTL_ADD) and only modified after that, unlike select, whose sets are
 * rebuilt and copied on every call; epoll_wait returns only the ready fds, so one wait costs
 * O(ready), not O(watched). kqueue.c is the same file for macOS and the BSDs.
 */
#include "readiness.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/trace.h"

static int epfd = -1;
static int registered;

const char *readiness_wait_call(void) { return "epoll_wait"; }
int readiness_registered(void) { return registered; }

int readiness_open(void) {
    epfd = epoll_create1(EPOLL_CLOEXEC);
    return epfd < 0 ? -1 : 0;
}

void readiness_close(void) { close(epfd); }

static uint32_t epoll_bits(interest want) { return want == WANT_READ ? EPOLLIN : EPOLLOUT; }

int readiness_add(int fd, interest want, void *owner) {
    struct epoll_event ev = {.events = epoll_bits(want), .data.ptr = owner};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) return -1;
    registered++;
    return 0;
}

int readiness_change(int fd, interest was, interest want, void *owner) {
    (void)was;
    struct epoll_event ev = {.events = epoll_bits(want), .data.ptr = owner};
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

void readiness_remove(int fd, interest was) {
    (void)was;
    if (epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) == 0) registered--;
}

int readiness_wait(ready_event *events, int max) {
    struct epoll_event ready[1024];
    if (max > 1024) max = 1024;
    TRACE_WAIT(EPOLL_WAIT_BEGIN, epfd, registered);
    int n = epoll_wait(epfd, ready, max, -1);
    TRACE(EPOLL_WAIT_END, epfd, n < 0 ? -errno : n);
    if (n < 0) return 0; /* EINTR: a signal; the caller checks whether it means stop */
    for (int i = 0; i < n; i++) {
        /* EPOLLHUP and EPOLLERR come whether asked for or not. */
        events[i] = (ready_event){
            .owner = ready[i].data.ptr,
            .readable = (ready[i].events & EPOLLIN) != 0,
            .writable = (ready[i].events & EPOLLOUT) != 0,
            .failed = (ready[i].events & (EPOLLHUP | EPOLLERR)) != 0,
        };
    }
    return n;
}
