/*
 * 06-epoll: one thread, the kernel keeps the list (notes, section F).
 *
 * Where 05 rebuilt its fd sets and scanned every socket on each select() call, here every socket
 * is registered once (readiness_add) and the wait returns only the ready ones. The interest of a
 * connection changes only when its replies back up: when the socket's send buffer is full we
 * stop waiting for "readable" and wait for "writable" instead, and switch back once it drained.
 * epoll.c and kqueue.c are the same moves with each OS's calls.
 *
 * Still one thread: a work request is computed right in the read callback, and while it runs
 * nobody else is served.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/answer.h"
#include "common/cli.h"
#include "common/clock.h"
#include "common/fdlimit.h"
#include "common/log.h"
#include "common/net.h"
#include "common/server.h"
#include "common/stop.h"
#include "common/trace.h"
#include "readiness.h"

typedef struct {
    peer p;
    interest wanting; /* what it is registered for right now */
    bool leaving;     /* the peer closed its side: close once the replies are out */
} connection;

static connection **by_fd; /* every open connection, for the final cleanup */
static int table_size;
static int open_count;

static void close_connection(connection *c, int why) {
    readiness_remove(c->p.fd, c->wanting);
    close(c->p.fd);
    TRACE(CONN_CLOSED, c->p.fd, why);
    log_event("peer %s done (%d open)", c->p.name, --open_count);
    by_fd[c->p.fd] = NULL;
    peer_release(&c->p);
    free(c);
}

static void wait_for(connection *c, interest want) {
    if (c->wanting == want) return;
    readiness_change(c->p.fd, c->wanting, want, c);
    c->wanting = want;
}

/* Sends what the socket takes, then decides what to wait for next. */
static void send_and_rearm(connection *c) {
    switch (sendbuf_flush(&c->p.out, c->p.fd, NULL)) {
    case SEND_FAILED:
        log_event("peer %s: send failed: %s", c->p.name, strerror(errno));
        close_connection(c, TRACE_CLOSE_ERROR);
        return;
    case SEND_PENDING: /* the socket is full: stop reading until the peer takes its replies */
        TRACE(EAGAIN, c->p.fd, TRACE_EAGAIN_SEND);
        wait_for(c, WANT_WRITE);
        return;
    case SEND_DONE:
        if (c->leaving) close_connection(c, TRACE_CLOSE_PEER);
        else wait_for(c, WANT_READ);
        return;
    }
}

static void on_readable(connection *c) {
    uint8_t in[4096];
    ssize_t n = recv(c->p.fd, in, sizeof in, 0);
    TRACE(RECV_END, c->p.fd, n < 0 ? -errno : n);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n < 0) {
        log_event("peer %s: recv failed: %s", c->p.name, strerror(errno));
        close_connection(c, TRACE_CLOSE_ERROR);
        return;
    }
    if (n == 0) {
        c->leaving = true; /* what it sent before its FIN still gets its reply */
    } else {
        uint64_t began = monotonic_ns();
        if (answer_buffered(c->p.fd, &c->p.parser, &c->p.out, in, (size_t)n) != 0) {
            close_connection(c, TRACE_CLOSE_ERROR);
            return;
        }
        uint64_t busy_ms = (monotonic_ns() - began) / 1000000;
        if (busy_ms >= 50)
            log_event("one request of peer %s kept the loop busy for %llu ms: every other client waited", c->p.name, (unsigned long long)busy_ms);
    }
    send_and_rearm(c);
}

static void on_listener_readable(int listener) {
    for (;;) { /* everyone waiting in the backlog: the listener stays readable until EAGAIN */
        char name[PEER_NAME_MAX];
        int fd = accept_peer(listener, name);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) log_always("accept: %s (open-file limit reached)", strerror(errno));
            return;
        }
        connection *c = fd < table_size ? calloc(1, sizeof *c) : NULL;
        if (!c) {
            log_always("peer %s refused: no room for fd %d", name, fd);
            close(fd);
            TRACE(CONN_CLOSED, fd, TRACE_CLOSE_REFUSED);
            continue;
        }
        set_nonblocking(fd);
        peer_init(&c->p, fd, name);
        c->wanting = WANT_READ;
        if (readiness_add(fd, WANT_READ, c) != 0) { /* registered once, for its whole life */
            log_errno("registering a peer");
            peer_release(&c->p);
            free(c);
            close(fd);
            continue;
        }
        by_fd[fd] = c;
        TRACE(CONN_ACCEPTED, fd, peer_port(fd));
        log_event("peer %s connected (%d open)", name, ++open_count);
        const uint8_t ack = PROTOCOL_ACK;
        sendbuf_append(&c->p.out, &ack, 1);
        send_and_rearm(c);
    }
}

int main(int argc, char **argv) {
    server_config cfg = cli_parse(argc, argv, "06-epoll: one thread; the kernel keeps the interest list and returns only ready sockets.", NULL, 0);
    long limit = raise_fd_limit();
    table_size = limit > 0 && limit < (1 << 20) ? (int)limit : 1 << 20;
    log_always("open-file limit: %ld, so up to about %ld clients", limit, limit - 8);
    by_fd = calloc((size_t)table_size, sizeof *by_fd);
    if (!by_fd || readiness_open() != 0) {
        log_errno("readiness_open");
        return 1;
    }
    int listener = server_start(&cfg, "06-epoll"); /* a stop signal makes it readable: the wait ends */
    set_nonblocking(listener);
    readiness_add(listener, WANT_READ, NULL); /* owner NULL: the listener */

    ready_event events[1024];
    while (!stop_requested()) {
        int n = readiness_wait(events, 1024);
        if (n > 0) log_event("%s: %d ready of %d registered", readiness_wait_call(), n, readiness_registered());
        /* A batch holds each fd once, and a connection is closed only while its own event is
         * handled, so no owner below has been freed by an earlier event of the batch. */
        for (int i = 0; i < n && !stop_requested(); i++) {
            connection *c = events[i].owner;
            TRACE(READY_FD, c ? c->p.fd : listener,
                  (events[i].readable ? TRACE_READY_READ : 0) | (events[i].writable ? TRACE_READY_WRITE : 0) | (events[i].failed ? TRACE_READY_ERROR : 0));
            if (!c) {
                on_listener_readable(listener);
                continue;
            }
            if (events[i].failed) {
                /* Hang-up or error: this peer is gone. Only this peer. */
                log_event("peer %s: hang-up or error", c->p.name);
                close_connection(c, TRACE_CLOSE_ERROR);
            } else if (events[i].writable) {
                send_and_rearm(c);
            } else if (events[i].readable) {
                on_readable(c);
            }
        }
    }

    for (int fd = 0; fd < table_size; fd++)
        if (by_fd[fd]) close_connection(by_fd[fd], TRACE_CLOSE_STOPPING);
    readiness_remove(listener, WANT_READ);
    readiness_close();
    free(by_fd);
    server_finish(listener);
    return 0;
}
