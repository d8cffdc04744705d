/*
 * 08-ae: a server on a small Redis-style event loop (ae.h, ae.c, notes section H).
 *
 * Everything is a callback on one thread: on_accept for the listener, on_readable and
 * on_writable for clients, send_pending_replies before the loop sleeps (as Redis writes its
 * replies), and on_tick, a time event every --timer-ms. The work request runs inside
 * on_readable, on the loop: while it computes, no other callback runs, so every client waits
 * and the timer fires late by about the length of the work (the notes' EVAL_SLOW_SCRIPT).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ae.h"
#include "common/answer.h"
#include "common/cli.h"
#include "common/clock.h"
#include "common/fdlimit.h"
#include "common/log.h"
#include "common/net.h"
#include "common/server.h"
#include "common/stop.h"
#include "common/trace.h"

typedef struct client {
    peer p;
    bool reading;               /* paused while too many replies wait unsent */
    bool leaving;               /* the peer closed its side: close once the replies are out */
    bool pending;               /* in the pending-replies list */
    struct client *prev, *next; /* the pending-replies list */
} client;

static client *pending_head;
static int clients_open;

static void on_readable(ae_loop *loop, int fd, void *data, int mask);
static void on_writable(ae_loop *loop, int fd, void *data, int mask);

static void unlist(client *c) {
    if (!c->pending) return;
    if (c->prev) c->prev->next = c->next;
    else pending_head = c->next;
    if (c->next) c->next->prev = c->prev;
    c->pending = false;
}

/* Replies are not sent from the callback that made them: they wait for send_pending_replies. */
static void list_pending(client *c) {
    if (c->pending) return;
    c->pending = true;
    c->prev = NULL;
    c->next = pending_head;
    if (pending_head) pending_head->prev = c;
    pending_head = c;
}

static void close_client(ae_loop *loop, client *c, int why) {
    ae_delete_file_event(loop, c->p.fd, AE_READABLE | AE_WRITABLE);
    unlist(c);
    close(c->p.fd);
    TRACE(CONN_CLOSED, c->p.fd, why);
    log_event("peer %s done (%d open)", c->p.name, --clients_open);
    peer_release(&c->p);
    free(c);
}

/* Sends what the socket takes; keeps a writable event only while something is left. */
static void flush_client(ae_loop *loop, client *c) {
    switch (sendbuf_flush(&c->p.out, c->p.fd, NULL)) {
    case SEND_FAILED:
        log_event("peer %s: send failed: %s", c->p.name, strerror(errno));
        close_client(loop, c, TRACE_CLOSE_ERROR);
        return;
    case SEND_PENDING:
        if (!(ae_get_file_events(loop, c->p.fd) & AE_WRITABLE))
            ae_create_file_event(loop, c->p.fd, AE_WRITABLE, on_writable, c);
        return;
    case SEND_DONE:
        ae_delete_file_event(loop, c->p.fd, AE_WRITABLE);
        if (c->leaving) {
            close_client(loop, c, TRACE_CLOSE_PEER);
            return;
        }
        if (!c->reading) {
            c->reading = true;
            ae_create_file_event(loop, c->p.fd, AE_READABLE, on_readable, c);
        }
        return;
    }
}

/* The before-sleep hook: the last thing each turn does before it waits in the backend. */
static void send_pending_replies(ae_loop *loop) {
    while (pending_head) {
        client *c = pending_head;
        unlist(c);
        flush_client(loop, c);
    }
}

static void on_writable(ae_loop *loop, int fd, void *data, int mask) {
    (void)fd;
    (void)mask;
    flush_client(loop, data);
}

static void on_readable(ae_loop *loop, int fd, void *data, int mask) {
    (void)mask;
    client *c = data;
    uint8_t in[4096];
    ssize_t n = recv(fd, in, sizeof in, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n < 0) {
        log_event("peer %s: recv failed: %s", c->p.name, strerror(errno));
        close_client(loop, c, TRACE_CLOSE_ERROR);
        return;
    }
    if (n == 0) { /* the peer closed its side; what it sent before still gets its reply */
        c->leaving = true;
        ae_delete_file_event(loop, fd, AE_READABLE);
        list_pending(c);
        return;
    }
    uint64_t began = monotonic_ns();
    if (answer_buffered(fd, &c->p.parser, &c->p.out, in, (size_t)n) != 0) {
        close_client(loop, c, TRACE_CLOSE_ERROR);
        return;
    }
    uint64_t busy_ms = (monotonic_ns() - began) / 1000000;
    if (busy_ms >= 50)
        log_event("the loop was busy for %llu ms with peer %s's request: every other client waited", (unsigned long long)busy_ms, c->p.name);
    if (sendbuf_over_high_water(&c->p.out)) {
        c->reading = false; /* a peer that does not read its replies stops being read */
        ae_delete_file_event(loop, fd, AE_READABLE);
    }
    list_pending(c);
}

static void on_accept(ae_loop *loop, int listener, void *data, int mask) {
    (void)data;
    (void)mask;
    for (;;) {
        char name[PEER_NAME_MAX];
        int fd = accept_peer(listener, name);
        if (fd < 0) return; /* EAGAIN: no one else is waiting; or a stop, or a peer that gave up */
        set_nonblocking(fd);
        client *c = calloc(1, sizeof *c);
        if (!c || ae_create_file_event(loop, fd, AE_READABLE, on_readable, c) != AE_OK) {
            log_always("peer %s refused: fd %d does not fit the loop (set size %d)", name, fd, loop->setsize);
            free(c);
            close(fd);
            TRACE(CONN_CLOSED, fd, TRACE_CLOSE_REFUSED);
            continue;
        }
        peer_init(&c->p, fd, name);
        c->reading = true;
        TRACE(CONN_ACCEPTED, fd, peer_port(fd));
        log_event("peer %s connected (%d open)", name, ++clients_open);
        const uint8_t ack = PROTOCOL_ACK;
        sendbuf_append(&c->p.out, &ack, 1);
        list_pending(c);
    }
}

/* A time event: how late it runs says how long the loop was kept from its work. */
static int on_tick(ae_loop *loop, long long id, long long late_ms, void *data) {
    (void)loop;
    (void)id;
    long interval = *(const long *)data;
    log_event("timer fired %lld ms late", late_ms);
    return (int)interval;
}

int main(int argc, char **argv) {
    long timer_ms = 1000;
    const cli_flag flags[] = {
        CLI_INT_FLAG("--timer-ms", &timer_ms, 10, 60000, "interval of the time event that reports its lateness"),
    };
    server_config cfg = cli_parse(argc, argv, "08-ae: a Redis-style ae event loop; slow requests run on the loop.", flags, CLI_FLAG_COUNT(flags));
    long fd_limit = raise_fd_limit();
    ae_loop *loop = ae_create_loop(fd_limit > 0 && fd_limit < (1 << 20) ? (int)fd_limit : 1 << 20);
    if (!loop) {
        log_errno("ae_create_loop");
        return 1;
    }
    log_always("ae backend: %s (waits in %s), set size %d", ae_backend_name(), ae_backend_wait_call(), loop->setsize);
    int listener = server_start(&cfg, "08-ae"); /* a stop signal makes it readable: the wait ends */
    set_nonblocking(listener);
    ae_create_file_event(loop, listener, AE_READABLE, on_accept, NULL);
    ae_create_time_event(loop, timer_ms, on_tick, &timer_ms);
    ae_set_before_sleep(loop, send_pending_replies);

    /* ae_main(), with the stop check of this project. */
    while (!stop_requested()) ae_process_events(loop, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP);

    while (pending_head) close_client(loop, pending_head, TRACE_CLOSE_STOPPING);
    for (int fd = 0; fd <= loop->maxfd; fd++) {
        if (fd != listener && ae_get_file_events(loop, fd) != AE_NONE) close_client(loop, loop->events[fd].data, TRACE_CLOSE_STOPPING);
    }
    ae_delete_file_event(loop, listener, AE_READABLE);
    ae_delete_loop(loop);
    server_finish(listener);
    return 0;
}
