/*
 * ae backend: kqueue (macOS, the BSDs). Included by ae.c, never compiled on its own.
 * Kept small and in the same shape as ae_epoll.c so the two read side by side. On Linux the
 * tests run it against a kqueue emulation (test/servers/kqueue.test.ts).
 * kqueue watches (fd, filter) pairs: reading and writing are two filters, added and deleted
 * separately, and kevent reports them as separate entries, so one fd may fire twice in a turn.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct backend_state {
    int kq;
    struct kevent *ready; /* [setsize], filled by kevent */
} backend_state;

static const char *backend_name(void) { return "kqueue"; }
static const char *backend_wait_call(void) { return "kevent"; }
static int backend_max_setsize(void) { return 1 << 24; }

static int backend_create(ae_loop *loop) {
    backend_state *st = calloc(1, sizeof *st);
    if (!st) return -1;
    st->ready = calloc((size_t)loop->setsize, sizeof *st->ready);
    st->kq = kqueue();
    if (!st->ready || st->kq < 0) {
        if (st->kq >= 0) close(st->kq);
        free(st->ready);
        free(st);
        return -1;
    }
    loop->backend = st;
    return 0;
}

static void backend_free(ae_loop *loop) {
    backend_state *st = loop->backend;
    close(st->kq);
    free(st->ready);
    free(st);
}

static int change_filter(backend_state *st, int fd, short filter, unsigned short action) {
    struct kevent change;
    EV_SET(&change, fd, filter, action, 0, 0, NULL);
    return kevent(st->kq, &change, 1, NULL, 0, NULL);
}

static int backend_add(ae_loop *loop, int fd, int old_mask, int add_mask) {
    backend_state *st = loop->backend;
    (void)old_mask;
    if ((add_mask & AE_READABLE) && change_filter(st, fd, EVFILT_READ, EV_ADD) != 0) return -1;
    if ((add_mask & AE_WRITABLE) && change_filter(st, fd, EVFILT_WRITE, EV_ADD) != 0) return -1;
    return 0;
}

static void backend_del(ae_loop *loop, int fd, int old_mask, int del_mask) {
    backend_state *st = loop->backend;
    /* A failure here means the fd is already closed, which removed its filters anyway. */
    if (old_mask & del_mask & AE_READABLE) (void)change_filter(st, fd, EVFILT_READ, EV_DELETE);
    if (old_mask & del_mask & AE_WRITABLE) (void)change_filter(st, fd, EVFILT_WRITE, EV_DELETE);
}

static int backend_poll(ae_loop *loop, long timeout_ms) {
    backend_state *st = loop->backend;
    struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000};
    TRACE_WAIT(KEVENT_BEGIN, st->kq, loop->registered);
    int n = kevent(st->kq, NULL, 0, st->ready, loop->setsize, timeout_ms < 0 ? NULL : &ts);
    TRACE(KEVENT_END, st->kq, n < 0 ? -errno : n);
    if (n < 0) return 0; /* EINTR: a signal; the caller's loop checks its stop flag */
    for (int j = 0; j < n; j++) {
        const struct kevent *e = &st->ready[j];
        int mask = e->filter == EVFILT_READ ? AE_READABLE : AE_WRITABLE;
        /* EV_EOF / EV_ERROR: let the procedure's own read/write find out and close the peer. */
        if (e->flags & (EV_EOF | EV_ERROR)) mask |= AE_READABLE | AE_WRITABLE;
        loop->fired[j].fd = (int)e->ident;
        loop->fired[j].mask = mask;
        TRACE(READY_FD, (int)e->ident, mask | ((e->flags & (EV_EOF | EV_ERROR)) ? TRACE_READY_ERROR : 0));
    }
    return n;
}
