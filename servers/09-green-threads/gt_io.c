/*
 * The blocking-style calls of green threads: try the non-blocking call; on EAGAIN park until
 * the poller says the fd is ready, then try again. To the code that calls them they look like
 * ordinary blocking calls; to the carrier they are a few microseconds each.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gt.h"
#include "runtime.h"

/*
 * errno lives in thread-local storage, and the compiler may compute its address once per
 * function. After a park the green thread can be on another carrier, so read errno through a
 * call the compiler cannot fold, right after the failing call and before any park.
 */
__attribute__((noinline)) static int errno_now(void) { return errno; }

static bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

ssize_t gt_read(int fd, void *buf, size_t len) {
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0) return n;
        int err = errno_now();
        if (err == EINTR) continue;
        if (!would_block(err)) return -err;
        int park_err = gt_park(fd, WAIT_READ);
        if (park_err) return -park_err;
    }
}

ssize_t gt_write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    size_t left = len;
    while (left > 0) {
        ssize_t n = send(fd, p, left, SEND_FLAGS);
        if (n >= 0) {
            p += n;
            left -= (size_t)n;
            continue;
        }
        int err = errno_now();
        if (err == EINTR) continue;
        if (!would_block(err)) return -err;
        int park_err = gt_park(fd, WAIT_WRITE);
        if (park_err) return -park_err;
    }
    return (ssize_t)len;
}

int gt_accept(int listener, char name[PEER_NAME_MAX]) {
    for (;;) {
        int fd = accept_peer(listener, name);
        if (fd >= 0) {
            set_nonblocking(fd);
            return fd;
        }
        int err = errno_now();
        /* A client that gave up while queued is not the listener's failure. */
        if (err == EINTR || err == ECONNABORTED) continue;
        if (!would_block(err)) return -err;
        int park_err = gt_park(listener, WAIT_READ);
        if (park_err) return -park_err;
    }
}

void gt_close(int fd) {
    gt_disarm(fd);
    green_thread *g = gt_current();
    if (g && g->owned_fd == fd) g->owned_fd = -1;
    close(fd);
}

void gt_pin_begin(void) { gt_current()->pinned = true; }
void gt_pin_end(void) { gt_current()->pinned = false; }
