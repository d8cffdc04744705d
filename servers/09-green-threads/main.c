/*
 * 09-green-threads: one green thread per client, on a few carrier threads (notes, h-6).
 *
 * serve_client() is written like 03's blocking server: read, reply, repeat. It runs on a green
 * thread, so when gt_read() finds nothing it does not put an OS thread to sleep: the green
 * thread parks, its carrier unmounts it and mounts another, and the poller makes it runnable
 * again once the kernel says the socket is readable. A thousand clients cost a thousand small
 * stacks and --carriers OS threads, not a thousand OS threads.
 *
 * The work request is the exception: trial division never parks, so the green thread keeps
 * (pins) its carrier until it is done. Other clients are still served on the free carriers;
 * with every carrier pinned, nobody is (try --carriers 1).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/fdlimit.h"
#include "common/log.h"
#include "common/net.h"
#include "common/prime.h"
#include "common/protocol.h"
#include "common/server.h"
#include "common/stop.h"
#include "common/trace.h"
#include "gt.h"

typedef struct {
    int fd;
    char name[PEER_NAME_MAX];
} client_ticket;

/* The work runs right here, on the green thread, and so on its carrier. Returns the reply, or
 * NULL when a stop signal cut it short (the carrier is then free to stop). */
static const char *work_pinning_the_carrier(int fd, uint64_t number) {
    gt_pin_begin();
    log_event("g%ld pins carrier %d: is %llu prime?", gt_id(), gt_carrier_index(), (unsigned long long)number);
    TRACE_WAIT(WORK_STARTED, fd, number); /* flushed: the view shows the work while it runs */
    prime_verdict verdict = trial_division(number);
    TRACE(WORK_DONE, fd, verdict);
    log_event("g%ld releases carrier %d", gt_id(), gt_carrier_index());
    gt_pin_end();
    return verdict == PRIME_STOPPED ? NULL : protocol_work_reply(verdict == PRIME_YES);
}

/* Replies to in[0..n); returns 0 or -errno, -ECANCELED when the server is stopping. */
static ssize_t answer(int fd, protocol_parser *parser, const uint8_t *in, size_t n) {
    uint8_t out[4096];
    while (n > 0) {
        protocol_step step = protocol_feed(parser, in, n < sizeof out ? n : sizeof out, out);
        in += step.consumed;
        n -= step.consumed;
        ssize_t rc = gt_write_all(fd, out, step.produced);
        if (rc >= 0 && step.work) {
            const char *reply = work_pinning_the_carrier(fd, step.number);
            rc = reply ? gt_write_all(fd, reply, strlen(reply)) : -ECANCELED;
        }
        if (rc < 0) return rc;
    }
    return 0;
}

/* One client, in plain blocking style. Every gt_ call may park this green thread. */
static void serve_client(void *arg) {
    const client_ticket *ticket = arg;
    int fd = ticket->fd;
    log_event("g%ld serves peer %s on carrier %d", gt_id(), ticket->name, gt_carrier_index());
    TRACE(CONN_ACCEPTED, fd, peer_port(fd));

    protocol_parser parser;
    protocol_init(&parser);
    const uint8_t ack = PROTOCOL_ACK;
    ssize_t rc = gt_write_all(fd, &ack, 1);
    uint8_t in[4096];
    while (rc >= 0) {
        rc = gt_read(fd, in, sizeof in);
        if (rc <= 0) break;
        rc = answer(fd, &parser, in, (size_t)rc);
    }

    int why = rc == 0 ? TRACE_CLOSE_PEER : rc == -ECANCELED ? TRACE_CLOSE_STOPPING : TRACE_CLOSE_ERROR;
    if (why == TRACE_CLOSE_ERROR) log_event("peer %s: %s", ticket->name, strerror((int)-rc));
    log_event("peer %s done", ticket->name);
    gt_close(fd);
    TRACE(CONN_CLOSED, fd, why);
}

/* The accept loop is a green thread too: accept() parks it like any other blocking call. */
static void accept_clients(void *arg) {
    int listener = *(const int *)arg;
    int last_error = 0;
    for (;;) {
        client_ticket ticket;
        int fd = gt_accept(listener, ticket.name);
        if (fd < 0 && stop_requested()) return; /* the stop signal shut the listener down */
        if (fd < 0) { /* e.g. EMFILE: nothing to park on, so let the others run meanwhile */
            if (-fd != last_error) log_always("accept failed: %s", strerror(-fd));
            last_error = -fd;
            gt_yield();
            continue;
        }
        last_error = 0;
        ticket.fd = fd;
        long id = gt_spawn(serve_client, &ticket, sizeof ticket, fd);
        if (id < 0) {
            log_event("peer %s refused: no memory for a green thread", ticket.name);
            close(fd);
            TRACE(CONN_CLOSED, fd, TRACE_CLOSE_REFUSED);
        }
    }
}

/* The main thread only waits for SIGINT/SIGTERM; carriers and the poller never take them. */
static void wait_for_stop_signal(void) {
    sigset_t stop_signals, unblocked;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &unblocked);
    /* Blocked between the check and the wait, so a signal cannot slip in and be missed. */
    while (!stop_requested()) sigsuspend(&unblocked);
}

int main(int argc, char **argv) {
    long carriers = sysconf(_SC_NPROCESSORS_ONLN);
    if (carriers < 1) carriers = 1;
    const cli_flag flags[] = {
        CLI_INT_FLAG("--carriers", &carriers, 1, 256, "carrier OS threads that run the green threads (default: the number of cores)"),
    };
    server_config cfg = cli_parse(argc, argv, "09-green-threads: a green thread per client on a few carrier threads.", flags, CLI_FLAG_COUNT(flags));
    log_always("open-file limit: %ld", raise_fd_limit());
    int listener = server_start(&cfg, "09-green-threads");
    set_nonblocking(listener);

    if (gt_runtime_start((int)carriers) != 0) {
        log_errno("starting the carriers");
        return 1;
    }
    log_always("carriers: %ld OS threads run the green threads; one poller thread waits in %s", carriers, gt_poller_wait_call());
    gt_spawn(accept_clients, &listener, sizeof listener, -1);

    wait_for_stop_signal();
    gt_runtime_stop();
    server_finish(listener);
    return 0;
}
