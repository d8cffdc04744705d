/*
 * readiness.h with kqueue (macOS, the BSDs), kept small and in the same shape as epoll.c. On
 * Linux the tests run it against a kqueue emulation (test/servers/kqueue.test.ts).
 * kqueue registers (fd, filter) pairs: "readable" and "writable" are two filters, so switching
 * interest deletes one and adds the other, in one kevent() call.
 */
#include "readiness.h"

#include <errno.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/trace.h"

static int kq = -1;
static int registered;

const char *readiness_wait_call(void) { return "kevent"; }
int readiness_registered(void) { return registered; }

int readiness_open(void) {
    kq = kqueue();
    return kq < 0 ? -1 : 0;
}

void readiness_close(void) { close(kq); }

static short kqueue_filter(interest want) { return want == WANT_READ ? EVFILT_READ : EVFILT_WRITE; }

int readiness_add(int fd, interest want, void *owner) {
    struct kevent change;
    EV_SET(&change, fd, kqueue_filter(want), EV_ADD, 0, 0, owner);
    if (kevent(kq, &change, 1, NULL, 0, NULL) != 0) return -1;
    registered++;
    return 0;
}

int readiness_change(int fd, interest was, interest want, void *owner) {
    struct kevent changes[2];
    EV_SET(&changes[0], fd, kqueue_filter(was), EV_DELETE, 0, 0, NULL);
    EV_SET(&changes[1], fd, kqueue_filter(want), EV_ADD, 0, 0, owner);
    return kevent(kq, changes, 2, NULL, 0, NULL);
}

void readiness_remove(int fd, interest was) {
    struct kevent change;
    EV_SET(&change, fd, kqueue_filter(was), EV_DELETE, 0, 0, NULL);
    if (kevent(kq, &change, 1, NULL, 0, NULL) == 0) registered--;
}

int readiness_wait(ready_event *events, int max) {
    struct kevent ready[1024];
    if (max > 1024) max = 1024;
    TRACE_WAIT(KEVENT_BEGIN, kq, registered);
    int n = kevent(kq, NULL, 0, ready, max, NULL);
    TRACE(KEVENT_END, kq, n < 0 ? -errno : n);
    if (n < 0) return 0; /* EINTR: a signal; the caller checks whether it means stop */
    for (int i = 0; i < n; i++) {
        /* EV_EOF on the read filter is the peer's FIN: let recv() return 0. On the write
         * filter, or with EV_ERROR, the peer is gone. */
        bool is_read = ready[i].filter == EVFILT_READ;
        events[i] = (ready_event){
            .owner = ready[i].udata,
            .readable = is_read,
            .writable = !is_read,
            .failed = (ready[i].flags & EV_ERROR) || (!is_read && (ready[i].flags & EV_EOF)),
        };
    }
    return n;
}
