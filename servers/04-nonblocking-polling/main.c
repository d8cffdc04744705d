/*
 * 04-nonblocking-polling: one thread asks every socket "anything for me?", again and again.
 *
 * Every socket is O_NONBLOCK, so accept() and recv() return at once: with data, or with EAGAIN
 * ("nothing now"). One pass asks the listener and then every client; a pass that found nothing
 * at all sleeps --poll-interval-ms and starts over (notes, section D). Now one thread serves
 * everyone, but most calls come back empty: a short interval burns CPU on empty polls, a long
 * one makes every reply late. The empty polls are counted and reported once a second.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/answer.h"
#include "common/cli.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/net.h"
#include "common/server.h"
#include "common/stop.h"
#include "common/trace.h"

static long poll_interval_ms = 200;

static peer *peers;
static size_t peer_count, peer_cap;
static unsigned long empty_polls; /* calls that came back with EAGAIN, since the start */

static void add_peer(int fd, const char *name) {
    if (peer_count == peer_cap) {
        size_t cap = peer_cap ? peer_cap * 2 : 16;
        peer *grown = realloc(peers, cap * sizeof *peers);
        if (!grown) {
            close(fd);
            return;
        }
        peers = grown;
        peer_cap = cap;
    }
    peer *p = &peers[peer_count++];
    peer_init(p, fd, name);
    const uint8_t ack = PROTOCOL_ACK;
    sendbuf_append(&p->out, &ack, 1);
}

static void drop_peer(size_t i, int why) {
    peer *p = &peers[i];
    log_event("peer %s %s", p->name, close_reason_text(why));
    close(p->fd);
    TRACE(CONN_CLOSED, p->fd, why);
    peer_release(p);
    peers[i] = peers[--peer_count];
}

/* Takes every connection waiting in the backlog. Returns how many. */
static int poll_listener(int listener) {
    int accepted = 0;
    for (;;) {
        char name[PEER_NAME_MAX];
        int fd = accept_peer(listener, name);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                empty_polls++;
                TRACE(EAGAIN, listener, TRACE_EAGAIN_ACCEPT);
            }
            return accepted;
        }
        set_nonblocking(fd);
        log_event("peer %s connected", name);
        TRACE(CONN_ACCEPTED, fd, peer_port(fd));
        add_peer(fd, name);
        accepted++;
    }
}

/* Asks one client for data and answers it. Returns 1 if it did anything, 0 if not, -1 to drop it. */
static int poll_peer(peer *p, int *why) {
    int progress = 0;
    /* Not read: a peer that half-closed, and one that does not read its replies (until they drain). */
    if (!p->read_closed && !sendbuf_over_high_water(&p->out)) {
        uint8_t in[16384];
        TRACE(RECV_BEGIN, p->fd, 0);
        ssize_t n = recv(p->fd, in, sizeof in, 0); /* returns at once, data or not */
        TRACE(RECV_END, p->fd, n < 0 ? -errno : n);
        if (n == 0) { /* the peer is done sending; it still gets every reply it is owed */
            p->read_closed = true;
            progress = 1;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            *why = TRACE_CLOSE_ERROR;
            return -1;
        }
        if (n < 0) {
            empty_polls++;
            TRACE(EAGAIN, p->fd, TRACE_EAGAIN_RECV);
        } else {
            progress = 1;
            if (answer_buffered(p->fd, &p->parser, &p->out, in, (size_t)n) != 0) {
                *why = TRACE_CLOSE_ERROR;
                return -1;
            }
        }
    }
    size_t sent = 0;
    if (sendbuf_flush(&p->out, p->fd, &sent) == SEND_FAILED) {
        *why = TRACE_CLOSE_ERROR;
        return -1;
    }
    if (p->read_closed && sendbuf_pending(&p->out) == 0) {
        *why = TRACE_CLOSE_PEER;
        return -1;
    }
    return progress || sent > 0;
}

int main(int argc, char **argv) {
    const cli_flag flags[] = {
        CLI_INT_FLAG("--poll-interval-ms", &poll_interval_ms, 0, 60000, "sleep after a pass that found nothing"),
    };
    server_config cfg = cli_parse(argc, argv, "04-nonblocking-polling: one thread polls every socket, sleeping between empty passes.",
                                  flags, CLI_FLAG_COUNT(flags));
    int listener = server_start(&cfg, "04-nonblocking-polling");
    set_nonblocking(listener);

    uint64_t next_report = monotonic_ns() + 1000000000u;
    unsigned long reported = 0;
    while (!stop_requested()) {
        /* One pass: the listener, then every client, each asked once. */
        int progress = poll_listener(listener) > 0;
        for (size_t i = 0; i < peer_count;) {
            int why = TRACE_CLOSE_PEER;
            int r = poll_peer(&peers[i], &why);
            if (r < 0) {
                drop_peer(i, why); /* the last peer moved into slot i: ask it next */
                continue;
            }
            progress |= r;
            i++;
        }

        uint64_t now = monotonic_ns();
        if (now >= next_report) {
            log_event("empty polls: %lu in the last second, %lu in all (%zu clients)", empty_polls - reported, empty_polls, peer_count);
            TRACE(COUNT_EMPTY_POLLS, -1, empty_polls);
            reported = empty_polls;
            next_report = now + 1000000000u;
        }

        if (!progress) { /* nothing anywhere: rest, then ask everyone again */
            TRACE_WAIT(SLEEP_BEGIN, -1, poll_interval_ms * 1000000);
            uint64_t slept_from = monotonic_ns();
            sleep_ms(poll_interval_ms);
            TRACE(SLEEP_END, -1, monotonic_ns() - slept_from);
        }
    }

    while (peer_count > 0) drop_peer(peer_count - 1, TRACE_CLOSE_STOPPING);
    free(peers);
    server_finish(listener);
    return 0;
}
