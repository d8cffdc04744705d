/*
 * ae backend: select, the portable fallback. Included by ae.c, never compiled on its own.
 * Force it with `make -C servers 08-ae BACKEND=select`. It shows what the other backends save:
 * the interest sets are copied on every call (select overwrites what it is given), and finding
 * the ready fds means scanning 0..maxfd. It also caps the loop at FD_SETSIZE fds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

typedef struct backend_state {
    fd_set want_read, want_write; /* the interest, kept across calls */
    fd_set got_read, got_write;   /* select's working copies */
} backend_state;

static const char *backend_name(void) { return "select"; }
static const char *backend_wait_call(void) { return "select"; }
static int backend_max_setsize(void) { return FD_SETSIZE; }

static int backend_create(ae_loop *loop) {
    backend_state *st = calloc(1, sizeof *st);
    if (!st) return -1;
    FD_ZERO(&st->want_read);
    FD_ZERO(&st->want_write);
    loop->backend = st;
    return 0;
}

static void backend_free(ae_loop *loop) { free(loop->backend); }

/* ae_create_file_event already refused fd >= setsize <= FD_SETSIZE, so FD_SET is safe here. */
static int backend_add(ae_loop *loop, int fd, int old_mask, int add_mask) {
    backend_state *st = loop->backend;
    (void)old_mask;
    if (add_mask & AE_READABLE) FD_SET(fd, &st->want_read);
    if (add_mask & AE_WRITABLE) FD_SET(fd, &st->want_write);
    return 0;
}

static void backend_del(ae_loop *loop, int fd, int old_mask, int del_mask) {
    backend_state *st = loop->backend;
    (void)old_mask;
    if (del_mask & AE_READABLE) FD_CLR(fd, &st->want_read);
    if (del_mask & AE_WRITABLE) FD_CLR(fd, &st->want_write);
}

static int backend_poll(ae_loop *loop, long timeout_ms) {
    backend_state *st = loop->backend;
    memcpy(&st->got_read, &st->want_read, sizeof st->got_read);
    memcpy(&st->got_write, &st->want_write, sizeof st->got_write);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    TRACE_WAIT(SELECT_BEGIN, loop->maxfd + 1, loop->registered);
    int n = select(loop->maxfd + 1, &st->got_read, &st->got_write, NULL, timeout_ms < 0 ? NULL : &tv);
    TRACE(SELECT_END, loop->maxfd + 1, n < 0 ? -errno : n);
    if (n <= 0) return 0; /* timeout, or EINTR: a signal; the caller's loop checks its stop flag */
    int fired = 0;
    for (int fd = 0; fd <= loop->maxfd; fd++) {
        int mask = 0;
        if (FD_ISSET(fd, &st->got_read)) mask |= AE_READABLE;
        if (FD_ISSET(fd, &st->got_write)) mask |= AE_WRITABLE;
        if (mask == 0) continue;
        loop->fired[fired].fd = fd;
        loop->fired[fired].mask = mask;
        TRACE(READY_FD, fd, mask);
        fired++;
    }
    return fired;
}
