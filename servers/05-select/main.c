/*
 * 05-select: one thread waits on every socket at once.
 *
 * Instead of asking each socket in turn (04), the loop hands the kernel a list of fds and sleeps
 * in select() until at least one is ready (notes, section E). The costs the notes list are all
 * in plain sight below:
 *   - the fd sets are rebuilt before every call: select() overwrites them with its answer;
 *   - the answer is the same sets, so finding the ready fds is a scan over 0..maxfd, O(N);
 *   - an fd_set holds fds below FD_SETSIZE (1024) only. FD_SET() on a larger fd writes past the
 *     set (or, built with _FORTIFY_SOURCE, aborts), so a connection that lands on such an fd is
 *     refused before it ever reaches FD_SET: "FD_SETSIZE reached", and everyone else goes on.
 * Every peer has its own parser state and send buffer: one thread, many conversations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/answer.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/net.h"
#include "common/server.h"
#include "common/stop.h"
#include "common/trace.h"

static peer *peers[FD_SETSIZE]; /* by fd; every fd here is below FD_SETSIZE */
static int peer_total;

static void close_peer(int fd, int why) {
    peer *p = peers[fd];
    log_event("peer %s %s", p->name, close_reason_text(why));
    close(fd);
    TRACE(CONN_CLOSED, fd, why);
    peer_release(p);
    free(p);
    peers[fd] = NULL;
    peer_total--;
}

/* The listener is readable: take everyone waiting in the backlog. */
static void accept_peers(int listener) {
    for (;;) {
        char name[PEER_NAME_MAX];
        int fd = accept_peer(listener, name);
        if (fd < 0) {
            if (!stop_requested() && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                log_errno("accept");
            return;
        }
        if (fd >= FD_SETSIZE) { /* checked BEFORE any FD_SET: see the top of this file */
            log_always("FD_SETSIZE reached: refusing peer %s (fd %d >= %d)", name, fd, FD_SETSIZE);
            close(fd);
            TRACE(CONN_CLOSED, fd, TRACE_CLOSE_REFUSED);
            continue;
        }
        peer *p = malloc(sizeof *p);
        if (!p) {
            close(fd);
            continue;
        }
        set_nonblocking(fd);
        peer_init(p, fd, name);
        const uint8_t ack = PROTOCOL_ACK;
        sendbuf_append(&p->out, &ack, 1);
        sendbuf_flush(&p->out, fd, NULL);
        peers[fd] = p;
        peer_total++;
        log_event("peer %s connected", name);
        TRACE(CONN_ACCEPTED, fd, peer_port(fd));
    }
}

/* The peer is readable: read once, answer into its send buffer, send what the socket takes. */
static void on_readable(int fd) {
    peer *p = peers[fd];
    uint8_t in[16384];
    ssize_t n = recv(fd, in, sizeof in, 0);
    TRACE(RECV_END, fd, n < 0 ? -errno : n);
    if (n == 0) { /* the peer is done sending; it still gets every reply it is owed */
        p->read_closed = true;
        if (sendbuf_pending(&p->out) == 0) close_peer(fd, TRACE_CLOSE_PEER);
    } else if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) close_peer(fd, TRACE_CLOSE_ERROR);
    } else if (answer_buffered(fd, &p->parser, &p->out, in, (size_t)n) != 0 ||
        sendbuf_flush(&p->out, fd, NULL) == SEND_FAILED)
        close_peer(fd, TRACE_CLOSE_ERROR);
}

/* The peer's socket has room again: resume the send where it stopped. */
static void on_writable(int fd) {
    size_t sent = 0;
    send_result r = sendbuf_flush(&peers[fd]->out, fd, &sent);
    TRACE(SEND_END, fd, (int64_t)sent);
    if (r == SEND_FAILED) close_peer(fd, TRACE_CLOSE_ERROR);
    else if (r == SEND_DONE && peers[fd]->read_closed) close_peer(fd, TRACE_CLOSE_PEER);
}

int main(int argc, char **argv) {
    server_config cfg = cli_parse(argc, argv, "05-select: one thread, select() over every socket; refuses fds >= FD_SETSIZE.", NULL, 0);
    int listener = server_start(&cfg, "05-select");
    set_nonblocking(listener);

    while (!stop_requested()) {
        /* Rebuild both sets from scratch: select() overwrote them last time. */
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(listener, &readable);
        int maxfd = listener, watched = 1;
        for (int fd = 0; fd < FD_SETSIZE; fd++) {
            if (!peers[fd]) continue;
            /* Not read: a peer that half-closed, and one that does not read its replies (until they drain). */
            if (!peers[fd]->read_closed && !sendbuf_over_high_water(&peers[fd]->out)) FD_SET(fd, &readable);
            if (sendbuf_pending(&peers[fd]->out) > 0) FD_SET(fd, &writable);
            if (fd > maxfd) maxfd = fd;
            watched++;
        }

        TRACE(COUNT_FDS_WATCHED, -1, watched);
        TRACE_WAIT(SELECT_BEGIN, maxfd + 1, watched);
        int ready = select(maxfd + 1, &readable, &writable, NULL, NULL); /* sleeps until one is ready */
        TRACE(SELECT_END, maxfd + 1, ready < 0 ? -errno : ready);
        if (ready < 0) {
            if (errno == EINTR) continue;
            log_errno("select");
            break;
        }
        log_event("select: %d of %d fds ready", ready, watched);

        /* select() says how many, not which: scan every fd up to maxfd to find them. */
        for (int fd = 0; fd <= maxfd; fd++) {
            int mask = (FD_ISSET(fd, &readable) ? TRACE_READY_READ : 0) | (FD_ISSET(fd, &writable) ? TRACE_READY_WRITE : 0);
            if (!mask) continue;
            TRACE(READY_FD, fd, mask);
            if (fd == listener) accept_peers(listener);
            else {
                if ((mask & TRACE_READY_WRITE) && peers[fd]) on_writable(fd);
                if ((mask & TRACE_READY_READ) && peers[fd]) on_readable(fd);
            }
        }
    }

    for (int fd = 0; fd < FD_SETSIZE; fd++)
        if (peers[fd]) close_peer(fd, TRACE_CLOSE_STOPPING);
    server_finish(listener);
    return 0;
}
