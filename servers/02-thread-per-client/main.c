/*
 * 02-thread-per-client: a new OS thread for every connection.
 *
 * The main thread only accepts; each client gets a detached thread that serves it from '*' to
 * its last byte, so clients no longer wait for each other (notes, section B). The price shows
 * in the log and the trace: one thread (and its stack) per connection, even for a client that
 * connects and then says nothing. --max-threads is the wall you hit: past it a client is
 * refused, politely (a "busy" line instead of the '*'), instead of the process running out of
 * memory or threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/blocking.h"
#include "common/cli.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/net.h"
#include "common/refuse.h"
#include "common/server.h"
#include "common/trace.h"

#define STOP_GRACE_MS 800

typedef struct {
    int fd;
    long slot; /* index in live_fds, so a stop can wake this thread out of recv() */
    char peer[PEER_NAME_MAX];
} client;

static long max_threads = 1000;

/* Every thread's socket, so that a stop can shut them all down; guarded by `lock`. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int *live_fds;
static long alive;   /* client threads holding a slot: the figure the log and the trace show */
static long leaving; /* client threads that gave their slot back and still write their last records */

static long take_slot(int fd) {
    long slot = -1;
    pthread_mutex_lock(&lock);
    for (long i = 0; i < max_threads && slot < 0; i++)
        if (live_fds[i] < 0) slot = i;
    if (slot >= 0) {
        live_fds[slot] = fd;
        alive++;
    }
    pthread_mutex_unlock(&lock);
    return slot;
}

/* Returns the threads still alive without this one, counted under the lock: exact even when
 * several leave at once. The thread is still `leaving` until count_out(). */
static long give_slot(long slot) {
    pthread_mutex_lock(&lock);
    live_fds[slot] = -1;
    long left = --alive;
    leaving++;
    pthread_mutex_unlock(&lock);
    return left;
}

static void count_out(void) {
    pthread_mutex_lock(&lock);
    leaving--;
    pthread_mutex_unlock(&lock);
}

static long threads_alive(void) {
    pthread_mutex_lock(&lock);
    long n = alive;
    pthread_mutex_unlock(&lock);
    return n;
}

/* Threads alive or still leaving: what a stopping main waits for before it closes the trace. */
static long threads_running(void) {
    pthread_mutex_lock(&lock);
    long n = alive + leaving;
    pthread_mutex_unlock(&lock);
    return n;
}

/* The body of every client thread: the same blocking loop as 01, but only this client waits on it. */
static void *client_thread(void *arg) {
    client *c = arg;
    TRACE_NAME_THREAD("client %s", c->peer);
    TRACE(THREAD_STARTED, c->fd, threads_alive());

    int why = serve_blocking(c->fd, c->peer);

    /* Free the slot before close(): a stop must never shut down a recycled fd number. */
    long left = give_slot(c->slot);
    close(c->fd);
    TRACE(CONN_CLOSED, c->fd, why);
    log_event("thread for peer %s done (%ld alive)", c->peer, left);
    TRACE(COUNT_THREADS, -1, left);
    TRACE(THREAD_EXITED, -1, left);
    /* Flushed before it counts itself out: a stopping main closes the trace once none is running. */
    trace_flush();
    count_out();
    free(c);
    return NULL;
}

static void start_client_thread(int fd, const char *peer) {
    client *c = malloc(sizeof *c);
    long slot = c ? take_slot(fd) : -1;
    if (slot < 0) {
        log_always("refused peer %s: %ld threads alive (--max-threads %ld)", peer, max_threads, max_threads);
        send_refusal(fd, "busy: %ld thread%s running, try again later", max_threads, max_threads == 1 ? "" : "s"); /* instead of the '*' */
        TRACE(CONN_CLOSED, fd, TRACE_CLOSE_REFUSED);
        close(fd);
        free(c);
        return;
    }
    c->fd = fd;
    c->slot = slot;
    memcpy(c->peer, peer, PEER_NAME_MAX);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, client_thread, c);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        log_always("refused peer %s: cannot create a thread: %s", peer, strerror(rc));
        give_slot(slot);
        count_out();
        send_refusal(fd, "busy: cannot start a thread (%s), try again later", strerror(rc));
        TRACE(CONN_CLOSED, fd, TRACE_CLOSE_REFUSED);
        close(fd);
        free(c);
        return;
    }
    long now = threads_alive();
    log_event("thread created for peer %s (%ld alive)", peer, now);
    TRACE(COUNT_THREADS, -1, now);
}

/* Wakes every client thread out of recv()/send() and gives them a moment to leave. */
static void stop_client_threads(void) {
    pthread_mutex_lock(&lock);
    for (long i = 0; i < max_threads; i++)
        if (live_fds[i] >= 0) shutdown(live_fds[i], SHUT_RDWR);
    pthread_mutex_unlock(&lock);
    for (int waited = 0; threads_running() > 0 && waited < STOP_GRACE_MS; waited += 5) sleep_ms(5);
}

int main(int argc, char **argv) {
    const cli_flag flags[] = {
        CLI_INT_FLAG("--max-threads", &max_threads, 1, 100000, "client threads alive at once; past it, clients are refused"),
    };
    server_config cfg = cli_parse(argc, argv, "02-thread-per-client: a new thread for every connection.", flags, CLI_FLAG_COUNT(flags));
    live_fds = malloc(sizeof *live_fds * (size_t)max_threads);
    if (!live_fds) return 1;
    for (long i = 0; i < max_threads; i++) live_fds[i] = -1;
    int listener = server_start(&cfg, "02-thread-per-client");

    char peer[PEER_NAME_MAX];
    int fd;
    while ((fd = accept_client(listener, peer)) >= 0)
        start_client_thread(fd, peer); /* and straight back to accept() */

    stop_client_threads();
    log_always("%ld client threads still alive", threads_alive());
    server_finish(listener);
    return 0;
}
