/*
 * Trace events: what each thread of a stage is doing, for the extension's live view and for
 * recordings. src/core/trace/format.ts mirrors this header; test/unit/trace-format.test.ts
 * checks that the two agree. servers/README.md documents the format.
 *
 * Switched on by SERVER_MODELS_TRACE=<path>: a Unix stream socket to connect to, or else a file
 * to create/truncate. Unset, every TRACE() costs one well-predicted branch on a global.
 *
 * The stream, all little-endian:
 *   header, 64 bytes:
 *      0  char[8]  magic "SMTRACE\0"
 *      8  u16      version (TRACE_VERSION)
 *     10  u16      header size (64)
 *     12  u16      record size (32)
 *     14  u16      source: 0 = server stage, 1 = client
 *     16  u32      pid
 *     20  u32      reserved, 0
 *     24  u64      start time, ns on the trace clock (clock.h)
 *     32  u64      the same moment as Unix time in ns (for "recorded at")
 *     40  char[24] clock name, NUL-padded: "CLOCK_MONOTONIC" or "CLOCK_UPTIME_RAW"
 *   then records, 32 bytes each:
 *      0  u64 time_ns   4-byte fields keep every record naturally aligned
 *      8  u32 lane      one per OS thread (or client connection), numbered from 1 in order of
 *                       first event; the process's first lane is "main"
 *     12  u16 kind      TRACE_KINDS below
 *     14  u16 file_id   source file of the call site (0 = none), named by a NAME_FILE record
 *     16  i32 fd        the socket concerned, or -1
 *     20  u32 line      source line of the call site (name records: the name's byte length)
 *     24  i64 value     the kind's number: bytes, ready count, fd, lateness, ...
 *   A NAME_* record is followed by ceil(length / 32) records holding the UTF-8 name, zero-padded;
 *   a reader that does not care skips them. A name is always written before the first record
 *   that uses it.
 */
#ifndef COMMON_TRACE_H
#define COMMON_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#define TRACE_ENV "SERVER_MODELS_TRACE"
#define TRACE_MAGIC "SMTRACE"
#define TRACE_VERSION 1
#define TRACE_HEADER_SIZE 64
#define TRACE_RECORD_SIZE 32
#define TRACE_SOURCE_SERVER 0
#define TRACE_SOURCE_CLIENT 1

/* Values of CONN_CLOSED */
#define TRACE_CLOSE_PEER 0     /* the peer closed (recv returned 0) */
#define TRACE_CLOSE_ERROR 1    /* reset or another error */
#define TRACE_CLOSE_REFUSED 2  /* refused at a limit: FD_SETSIZE, --max-threads */
#define TRACE_CLOSE_STOPPING 3 /* the server is stopping */

/* Values of WORK_DONE (prime.h's prime_verdict) */
#define TRACE_WORK_COMPOSITE 0
#define TRACE_WORK_PRIME 1
#define TRACE_WORK_STOPPED (-1) /* given up: a stop signal came first, nobody gets an answer */

/* Values of READY_FD (a mask) */
#define TRACE_READY_READ 1
#define TRACE_READY_WRITE 2
#define TRACE_READY_ERROR 4

/* Values of EAGAIN */
#define TRACE_EAGAIN_RECV 1
#define TRACE_EAGAIN_SEND 2
#define TRACE_EAGAIN_ACCEPT 3

/* The vocabulary speaks the model, not the kernel. X(NAME, number, meaning of fd / value).
 * Numbers never change once released; new kinds take new numbers. Keep one entry per line: the
 * TypeScript test parses this table. */
#define TRACE_KINDS(X) \
    X(NAME_FILE, 1, "names source file file_id; line = name length, the name follows") \
    X(NAME_LANE, 2, "names this lane (thread named); line = name length, the name follows") \
    X(NAME_PROCESS, 3, "names the process (stage id or client); line = name length, the name follows") \
    X(ACCEPT_BEGIN, 16, "waiting in accept(); fd = listener") \
    X(ACCEPT_END, 17, "accept() returned; value = new fd or -errno") \
    X(RECV_BEGIN, 18, "waiting in recv(); fd = peer") \
    X(RECV_END, 19, "recv() returned; value = bytes, 0 = peer closed, or -errno") \
    X(SEND_BEGIN, 20, "in send(); fd = peer, value = bytes offered") \
    X(SEND_END, 21, "send() returned; value = bytes taken or -errno") \
    X(SELECT_BEGIN, 22, "waiting in select(); fd = nfds, value = fds watched") \
    X(SELECT_END, 23, "select() returned; value = ready fds or -errno") \
    X(EPOLL_WAIT_BEGIN, 24, "waiting in epoll_wait(); fd = epoll fd, value = fds registered") \
    X(EPOLL_WAIT_END, 25, "epoll_wait() returned; value = events or -errno") \
    X(KEVENT_BEGIN, 26, "waiting in kevent(); fd = kqueue fd, value = fds registered") \
    X(KEVENT_END, 27, "kevent() returned; value = events or -errno") \
    X(SLEEP_BEGIN, 28, "sleeping on purpose; value = ns asked") \
    X(SLEEP_END, 29, "woke up; value = ns slept") \
    X(LOOP_WAIT_BEGIN, 30, "a library's loop waits for I/O (libuv); value = active handles") \
    X(LOOP_WAIT_END, 31, "the library's loop woke up") \
    X(READY_FD, 40, "the wait reported fd ready; value = mask 1 read, 2 write, 4 error") \
    X(EAGAIN, 41, "a non-blocking call on fd found nothing; value = 1 recv, 2 send, 3 accept") \
    X(CALLBACK_BEGIN, 48, "a callback starts; fd, value = stage-defined callback id") \
    X(CALLBACK_END, 49, "the callback returns; fd, value = the same id") \
    X(WORK_SUBMITTED, 56, "work handed to whoever runs it; fd = requesting peer, value = the number") \
    X(WORK_STARTED, 57, "work starts on this lane; fd = requesting peer, value = the number") \
    X(WORK_DONE, 58, "work ends on this lane; fd = requesting peer, value = 1 prime, 0 composite, -1 given up (stopping)") \
    X(TIMER_FIRED, 64, "a timer fires; value = lateness in ns") \
    X(THREAD_STARTED, 72, "this lane starts; value = threads alive") \
    X(THREAD_EXITED, 73, "this lane ends; value = threads alive after it") \
    X(GREEN_STARTED, 80, "a green thread is created; value = its id") \
    X(GREEN_PARKED, 81, "a green thread parks waiting for fd; value = its id") \
    X(GREEN_RESUMED, 82, "a parked green thread is runnable again; fd, value = its id") \
    X(GREEN_MOUNTED, 83, "this carrier lane starts running a green thread; value = its id") \
    X(GREEN_UNMOUNTED, 84, "this carrier lane stops running it; value = its id") \
    X(GREEN_EXITED, 85, "a green thread ends; value = its id") \
    X(CONN_ACCEPTED, 96, "a connection is served; fd, value = the peer's port") \
    X(CONN_CLOSED, 97, "a connection is closed; fd, value = TRACE_CLOSE_*") \
    X(COUNT_EMPTY_POLLS, 104, "counter; value = empty polls so far") \
    X(COUNT_THREADS, 105, "counter; value = threads alive") \
    X(COUNT_FDS_WATCHED, 106, "counter; value = fds in the set or registered") \
    X(COUNT_CONNECTIONS, 107, "counter; value = connections open") \
    X(COUNT_QUEUED_WORK, 108, "counter; value = work requests waiting for a worker") \
    X(DROPPED, 120, "this lane lost events to a slow sink; value = how many since the last DROPPED") \
    X(CLIENT_CONNECT, 128, "client lane starts connecting") \
    X(CLIENT_CONNECTED, 129, "client connected; value = its local port (= CONN_ACCEPTED value)") \
    X(CLIENT_ACK, 130, "client received the '*' ack") \
    X(CLIENT_SEND, 131, "client sent; value = bytes") \
    X(CLIENT_RECEIVE, 132, "client received; value = bytes") \
    X(CLIENT_CLOSE, 133, "client closed; value = 0 clean, 1 error")

enum trace_kind {
#define TRACE_ENUM_ENTRY_(name, number, meaning) TK_##name = number,
    TRACE_KINDS(TRACE_ENUM_ENTRY_)
#undef TRACE_ENUM_ENTRY_
};

typedef struct {
    uint64_t time_ns;
    uint32_t lane;
    uint16_t kind;
    uint16_t file_id;
    int32_t fd;
    uint32_t line;
    int64_t value;
} trace_record;

_Static_assert(sizeof(trace_record) == TRACE_RECORD_SIZE, "trace_record must be 32 bytes");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the trace format is little-endian; add byte swapping for this host"
#endif

/* Set once by trace_open(), before any thread starts; read by every TRACE(). */
extern bool trace_enabled;

/* Reads SERVER_MODELS_TRACE and opens the sink; names the process and the calling thread's lane
 * ("main"). On failure it says why on stderr and the stage runs without a trace. */
void trace_open(const char *process_name);
/* Flushes the calling thread and the shared buffer (waiting at most a few hundred ms), closes. */
void trace_close(void);

/* Record one event at this call site: TRACE(RECV_END, fd, n). The arguments are evaluated only
 * when tracing is on: never put a call with side effects in them. */
#define TRACE(kind, fd, value) TRACE_AT_(TK_##kind, fd, value, false)
/* Record it and flush this thread's buffer: use it right before the thread may block (accept,
 * blocking recv, select, sleep ...), so the view is live while the thread sleeps. Use it too for
 * the last event before a thread goes back into code that blocks without telling us (a libuv
 * pool thread after its work): a thread that never exits or flushes again keeps its buffer. */
#define TRACE_WAIT(kind, fd, value) TRACE_AT_(TK_##kind, fd, value, true)
/* Names this thread's lane: TRACE_NAME_THREAD("client %s", peer). */
#define TRACE_NAME_THREAD(...) \
    do { \
        if (__builtin_expect(trace_enabled, 0)) trace_name_lane(__VA_ARGS__); \
    } while (0)

/* One static per call site caches the id of __FILE__ after the first event. */
#define TRACE_AT_(kind, fd, value, flush) \
    do { \
        if (__builtin_expect(trace_enabled, 0)) { \
            static uint16_t trace_file_id_; \
            trace_emit((kind), (int32_t)(fd), (int64_t)(value), __FILE__, __LINE__, &trace_file_id_, (flush)); \
        } \
    } while (0)

void trace_emit(uint16_t kind, int32_t fd, int64_t value, const char *file, uint32_t line,
                uint16_t *file_id_cache, bool flush);
void trace_name_lane(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* This thread's events so far go to the sink (as far as it takes them without blocking). */
void trace_flush(void);

/* The name of a kind ("RECV_END"), or NULL if unknown. */
const char *trace_kind_name(uint16_t kind);

#endif
