/*
 * 07-libuv: the same single-threaded loop, with libuv doing the epoll/kqueue part (notes,
 * section G), and a thread pool for the heavy work.
 *
 * Echo runs on the loop, in on_read. A work request is handed to libuv's thread pool with
 * uv_queue_work: compute_on_pool runs on a pool thread while the loop keeps serving everyone
 * else, and reply_after_work runs back on the loop to send the answer. With --work-on-loop the
 * same request is computed inside on_read instead, and the loop freezes as in 06 and 08.
 *
 * The client's replies must stay in order, so while its request is in the pool, the bytes it
 * sends after it wait in `held` and are answered once the reply is out. A client may leave while
 * its request is still computing: the client struct is then kept alive (a reference count) until
 * the pool is done with the request.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "common/cli.h"
#include "common/fdlimit.h"
#include "common/log.h"
#include "common/prime.h"
#include "common/protocol.h"
#include "common/sendbuf.h"
#include "common/stop.h"
#include "common/trace.h"

typedef struct {
    uv_tcp_t handle;        /* first: a handle pointer is a client pointer */
    uv_shutdown_t shutdown; /* sends the last replies, then FIN, after the peer's own FIN */
    int fd;
    char name[64];
    protocol_parser parser;
    int refs;       /* the handle until it is closed, plus a request in the pool */
    bool working;   /* a request of this client is in the pool */
    bool eof;       /* the peer sent FIN */
    bool closing;   /* uv_close was called */
    bool reading;
    send_buffer held; /* bytes that came after the request in the pool, not yet answered */
} client;

typedef struct {
    uv_work_t req;
    client *owner; /* touched only on the loop thread: the pool thread sees number and verdict */
    int fd;
    uint64_t number;
    prime_verdict verdict;
} work_job;

typedef struct {
    uv_write_t req;
    client *owner;
    uv_buf_t buf;
    char bytes[];
} write_job;

static uv_loop_t *loop;
static uv_tcp_t listener;
static uv_async_t stop_wakeup; /* the stop signal's way into the loop */
static uv_prepare_t before_poll;
static uv_check_t after_poll;
static bool work_on_loop;
static int open_clients;
static int jobs_in_pool;

static void feed(client *c, const uint8_t *in, size_t n);

static void release(client *c) {
    if (--c->refs > 0) return;
    sendbuf_free(&c->held);
    free(c);
}

static void on_closed(uv_handle_t *h) {
    client *c = (client *)h;
    TRACE(CONN_CLOSED, c->fd, c->eof ? TRACE_CLOSE_PEER : stop_requested() ? TRACE_CLOSE_STOPPING : TRACE_CLOSE_ERROR);
    log_event("peer %s done (%d open)", c->name, --open_clients);
    release(c); /* freed here, or by reply_after_work if its request is still in the pool */
}

static void close_client(client *c) {
    if (c->closing) return;
    c->closing = true;
    uv_close((uv_handle_t *)&c->handle, on_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status) {
    (void)status;
    close_client(req->data);
}

/* Past this many unsent bytes, stop reading a peer that does not read its replies. */
static bool backed_up(const client *c) { return c->handle.write_queue_size >= SENDBUF_HIGH_WATER; }

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)h;
    (void)suggested;
    static char chunk[65536]; /* the loop reads one socket at a time */
    *buf = uv_buf_init(chunk, sizeof chunk);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void set_reading(client *c, bool on) {
    if (c->closing || c->eof || c->reading == on) return;
    c->reading = on;
    if (on) uv_read_start((uv_stream_t *)&c->handle, on_alloc, on_read);
    else uv_read_stop((uv_stream_t *)&c->handle);
}

static void on_written(uv_write_t *req, int status) {
    write_job *job = (write_job *)req;
    client *c = job->owner;
    if (status < 0 && status != UV_ECANCELED) {
        log_event("peer %s: write failed: %s", c->name, uv_strerror(status));
        close_client(c);
    } else if (!backed_up(c) && !c->working) {
        set_reading(c, true);
    }
    free(job);
}

static void send_bytes(client *c, const void *bytes, size_t len) {
    if (len == 0 || c->closing) return;
    write_job *job = malloc(sizeof *job + len);
    if (!job) {
        close_client(c);
        return;
    }
    memcpy(job->bytes, bytes, len);
    job->owner = c;
    job->buf = uv_buf_init(job->bytes, (unsigned)len);
    if (uv_write(&job->req, (uv_stream_t *)&c->handle, &job->buf, 1, on_written) != 0) {
        free(job);
        close_client(c);
    }
}

/* Once nothing is pending, a peer that sent FIN gets its last replies and then our FIN. */
static void finish_if_done(client *c) {
    if (!c->eof || c->working || c->closing || sendbuf_pending(&c->held) > 0) return;
    c->shutdown.data = c;
    if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->handle, on_shutdown) != 0) close_client(c);
}

/* ---- the work request: on a pool thread (default) or right here on the loop ---------------- */

static void compute_on_pool(uv_work_t *req) {
    /* Numbered in the order the pool's threads first take a job, so the panel tells them apart. */
    static atomic_int pool_threads_named;
    static _Thread_local bool lane_named;
    if (!lane_named) {
        TRACE_NAME_THREAD("libuv pool thread %d", atomic_fetch_add(&pool_threads_named, 1) + 1);
        lane_named = true;
    }
    work_job *job = req->data;
    TRACE_WAIT(WORK_STARTED, job->fd, job->number); /* flushed: the view shows the work while it runs */
    job->verdict = trial_division(job->number); /* gives up at a stop signal: see on_stop */
    TRACE_WAIT(WORK_DONE, job->fd, job->verdict); /* flushed: this thread now waits for the next job */
}

static void reply_after_work(uv_work_t *req, int status) {
    work_job *job = req->data;
    client *c = job->owner;
    jobs_in_pool--;
    TRACE(CALLBACK_BEGIN, c->fd, 2);
    c->working = false;
    if (job->verdict == PRIME_STOPPED) {
        log_event("peer %s: its request was given up, the server is stopping", c->name);
    } else if (c->closing) {
        log_event("peer %s left while its request was computing; the answer is dropped", c->name);
    } else if (status == 0) {
        const char *reply = protocol_work_reply(job->verdict == PRIME_YES);
        send_bytes(c, reply, strlen(reply));
        /* Answer what came in meanwhile, in order; it may hold another request. */
        send_buffer rest = c->held;
        sendbuf_init(&c->held);
        feed(c, rest.data + rest.head, sendbuf_pending(&rest));
        sendbuf_free(&rest);
        if (!c->working && !backed_up(c)) set_reading(c, true);
        finish_if_done(c);
    }
    TRACE(CALLBACK_END, c->fd, 2);
    free(job);
    release(c);
}

static void submit_work(client *c, uint64_t number) {
    work_job *job = calloc(1, sizeof *job);
    if (!job) {
        close_client(c);
        return;
    }
    job->owner = c;
    job->fd = c->fd;
    job->number = number;
    job->req.data = job;
    c->working = true;
    c->refs++;
    jobs_in_pool++;
    TRACE(WORK_SUBMITTED, c->fd, number);
    log_event("peer %s: is %llu prime? sent to the thread pool (%d requests there)", c->name, (unsigned long long)number, jobs_in_pool);
    uv_queue_work(loop, &job->req, compute_on_pool, reply_after_work);
}

/* The reply, or NULL when a stop signal cut the work short. */
static const char *compute_on_loop(client *c, uint64_t number) {
    log_event("peer %s: is %llu prime? computing on the loop: everyone else waits", c->name, (unsigned long long)number);
    TRACE_WAIT(WORK_STARTED, c->fd, number);
    prime_verdict verdict = trial_division(number);
    TRACE(WORK_DONE, c->fd, verdict);
    return verdict == PRIME_STOPPED ? NULL : protocol_work_reply(verdict == PRIME_YES);
}

/* ---- bytes in, replies out -------------------------------------------------------------------- */

static void feed(client *c, const uint8_t *in, size_t n) {
    uint8_t out[4096];
    while (n > 0 && !c->closing) {
        if (c->working) { /* keep the rest until the pool has answered */
            if (!sendbuf_append(&c->held, in, n)) close_client(c);
            if (sendbuf_over_high_water(&c->held)) set_reading(c, false);
            return;
        }
        protocol_step step = protocol_feed(&c->parser, in, n < sizeof out ? n : sizeof out, out);
        in += step.consumed;
        n -= step.consumed;
        send_bytes(c, out, step.produced);
        if (!step.work) continue;
        if (work_on_loop) {
            const char *reply = compute_on_loop(c, step.number);
            if (!reply) return; /* stopping: on_stop closes this client next */
            send_bytes(c, reply, strlen(reply));
        } else {
            submit_work(c, step.number);
        }
    }
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    client *c = (client *)stream;
    TRACE(CALLBACK_BEGIN, c->fd, 1);
    if (nread > 0) {
        feed(c, (const uint8_t *)buf->base, (size_t)nread);
        if (backed_up(c)) set_reading(c, false);
    } else if (nread == UV_EOF) {
        c->eof = true; /* what it sent before still gets its replies */
        c->reading = false;
        uv_read_stop(stream);
        finish_if_done(c);
    } else if (nread < 0) {
        log_event("peer %s: %s", c->name, uv_strerror((int)nread));
        close_client(c);
    }
    TRACE(CALLBACK_END, c->fd, 1);
}

/* "127.0.0.1:5000" or "[::1]:5000" into out; returns the port. */
static int address_name(const struct sockaddr_storage *addr, char *out, size_t size) {
    char host[48] = "?";
    uv_ip_name((const struct sockaddr *)addr, host, sizeof host);
    int port = addr->ss_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)addr)->sin6_port)
                                           : ntohs(((const struct sockaddr_in *)addr)->sin_port);
    snprintf(out, size, addr->ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port);
    return port;
}

static void on_connection(uv_stream_t *server, int status) {
    if (status < 0) return;
    client *c = calloc(1, sizeof *c);
    if (!c) return;
    uv_tcp_init(loop, &c->handle);
    c->refs = 1;
    protocol_init(&c->parser);
    sendbuf_init(&c->held);
    if (uv_accept(server, (uv_stream_t *)&c->handle) != 0) {
        close_client(c);
        return;
    }
    uv_tcp_nodelay(&c->handle, 1);
    uv_os_fd_t fd = -1;
    uv_fileno((uv_handle_t *)&c->handle, &fd);
    c->fd = fd;
    struct sockaddr_storage addr;
    int len = sizeof addr;
    uv_tcp_getpeername(&c->handle, (struct sockaddr *)&addr, &len);
    int port = address_name(&addr, c->name, sizeof c->name);
    TRACE(CONN_ACCEPTED, c->fd, port);
    log_event("peer %s connected (%d open)", c->name, ++open_clients);
    const uint8_t ack = PROTOCOL_ACK;
    send_bytes(c, &ack, 1);
    set_reading(c, true);
}

/* ---- the loop's own moments, for the trace, and stopping ---------------------------------- */

static void on_before_poll(uv_prepare_t *h) {
    (void)h;
    TRACE_WAIT(LOOP_WAIT_BEGIN, -1, open_clients);
}

static void on_after_poll(uv_check_t *h) {
    (void)h;
    TRACE(LOOP_WAIT_END, -1, 0);
}

static void close_any(uv_handle_t *h, void *arg) {
    (void)arg;
    if (uv_is_closing(h)) return;
    if (h->type == UV_TCP && h != (uv_handle_t *)&listener) close_client((client *)h);
    else uv_close(h, NULL);
}

/* Runs on the loop after SIGINT/SIGTERM. Closed handles end uv_run once the pool has handed
 * back every request, which takes no time: a pool thread in the middle of trial division gives
 * up as soon as it sees the stop flag. */
static void on_stop(uv_async_t *h) {
    (void)h;
    log_event("stopping: closing %d clients, %d requests in the thread pool", open_clients, jobs_in_pool);
    uv_walk(loop, close_any, NULL);
}

/* Called by the signal handler (common/stop.c): uv_async_send is async-signal-safe. */
static void wake_loop(void) { uv_async_send(&stop_wakeup); }

int main(int argc, char **argv) {
    const cli_flag flags[] = {
        CLI_SWITCH_FLAG("--work-on-loop", &work_on_loop, "compute work requests on the loop instead of the thread pool"),
    };
    server_config cfg = cli_parse(argc, argv, "07-libuv: a libuv loop; work requests go to its thread pool.", flags, CLI_FLAG_COUNT(flags));
    stop_on_signals(); /* the flag trial division reads, and SIGPIPE ignored */
    trace_open("07-libuv");
    long limit = raise_fd_limit();
    const char *pool_size = getenv("UV_THREADPOOL_SIZE");
    log_always("libuv %s, open-file limit %ld; work requests run %s", uv_version_string(), limit,
               work_on_loop ? "on the loop (--work-on-loop)" : "in the thread pool");
    log_always("thread pool: UV_THREADPOOL_SIZE=%s", pool_size ? pool_size : "unset (libuv's default: 4 threads)");

    loop = uv_default_loop();
    struct sockaddr_storage addr;
    int rc = uv_ip4_addr(cfg.host, cfg.port, (struct sockaddr_in *)&addr);
    if (rc != 0) rc = uv_ip6_addr(cfg.host, cfg.port, (struct sockaddr_in6 *)&addr);
    if (rc == 0) rc = uv_tcp_init(loop, &listener);
    if (rc == 0) rc = uv_tcp_bind(&listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&listener, 4096, on_connection);
    if (rc != 0) {
        fprintf(stderr, "cannot listen on %s:%d: %s\n", cfg.host, cfg.port, uv_strerror(rc));
        return 1;
    }
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&listener, (struct sockaddr *)&bound, &len);
    char where[64];
    address_name(&bound, where, sizeof where);
    log_always("listening on %s", where); /* the line every stage prints once it accepts */

    /* Not uv_signal_start: libuv's own handler would replace the one that sets the stop flag,
     * and a pool thread in the middle of a request would never see it. */
    uv_async_init(loop, &stop_wakeup, on_stop);
    stop_calls(wake_loop);
    uv_prepare_init(loop, &before_poll);
    uv_prepare_start(&before_poll, on_before_poll);
    uv_check_init(loop, &after_poll);
    uv_check_start(&after_poll, on_after_poll);

    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    log_always("stopped");
    trace_close();
    return 0;
}
