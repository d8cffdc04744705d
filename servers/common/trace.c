/*
 * How events travel (trace.h has the format):
 *
 *   TRACE() --> this thread's lane buffer (thread-local, LANE_CAPACITY records, no lock)
 *           --> on flush: under one mutex, whole records are copied into the shared buffer,
 *               which is written to the sink with non-blocking writes
 *
 * Why one mutex around a shared buffer, and not a connection per thread: 02 may run thousands
 * of threads and a connection each would double its fds. Framing cannot interleave because only
 * whole records (and whole name groups) ever enter the shared buffer, and bytes leave it in order,
 * however the sink splits them. The mutex is held only for a memcpy and non-blocking writes, so
 * waiting for it is bounded; a slow or full sink never blocks a thread: the shared buffer fills,
 * then each lane buffer fills, then new events are dropped and counted, and the count goes out
 * as a DROPPED record once there is room again.
 */
#include "common/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/net.h"

#define LANE_CAPACITY 128
#define SHARED_CAPACITY (256 * 1024)
#define MAX_FILES 1024
#define MAX_NAME 200
#define CLOSE_DRAIN_MS 300

bool trace_enabled;

typedef struct {
    uint32_t lane;
    uint32_t count;
    uint64_t dropped;
    trace_record records[LANE_CAPACITY];
} lane_buffer;

/* A growable byte queue; names wait in one until the shared buffer has room for them. */
typedef struct {
    uint8_t *data;
    size_t head, tail, cap;
} byte_queue;

static struct {
    pthread_mutex_t lock;
    int fd;
    bool is_socket;
    bool dead; /* the sink failed or was closed: events are discarded */
    uint8_t out[SHARED_CAPACITY]; /* bytes for the sink: out[head..tail) */
    size_t head, tail;
    byte_queue names; /* encoded name groups not yet in `out` */
    char *files[MAX_FILES + 1]; /* file_id -> name; 0 is "none" */
    uint16_t file_count;
} sink = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static atomic_uint next_lane = 1;
static pthread_key_t lane_key;
static _Thread_local lane_buffer *this_lane;

const char *trace_kind_name(uint16_t kind) {
    switch (kind) {
#define TRACE_NAME_CASE_(name, number, meaning) \
    case number: return #name;
        TRACE_KINDS(TRACE_NAME_CASE_)
#undef TRACE_NAME_CASE_
    default: return NULL;
    }
}

/* ---- the shared buffer and the sink (callers hold sink.lock) ---- */

static size_t out_room(void) { return SHARED_CAPACITY - (sink.tail - sink.head); }

static void out_append(const void *bytes, size_t n) {
    if (sink.tail + n > SHARED_CAPACITY) {
        memmove(sink.out, sink.out + sink.head, sink.tail - sink.head);
        sink.tail -= sink.head;
        sink.head = 0;
    }
    memcpy(sink.out + sink.tail, bytes, n);
    sink.tail += n;
}

/* Writes what the sink takes now. The socket is non-blocking; a regular file takes everything. */
static void sink_write(void) {
    while (!sink.dead && sink.head < sink.tail) {
        size_t len = sink.tail - sink.head;
        ssize_t n = sink.is_socket ? send(sink.fd, sink.out + sink.head, len, SEND_FLAGS)
                                   : write(sink.fd, sink.out + sink.head, len);
        if (n > 0) {
            sink.head += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            /* The reader went away (EPIPE, ECONNRESET) or the disk is full: stop tracing. */
            sink.dead = true;
        }
    }
    if (sink.head == sink.tail || sink.dead) sink.head = sink.tail = 0;
}

static size_t name_group_size(uint32_t name_len) {
    return TRACE_RECORD_SIZE * (1 + (name_len + TRACE_RECORD_SIZE - 1) / TRACE_RECORD_SIZE);
}

/* Queues one name group: the NAME_* record, then the name padded to whole records. */
static void queue_name(uint16_t kind, uint32_t lane, uint16_t file_id, const char *name) {
    uint32_t len = (uint32_t)strnlen(name, MAX_NAME);
    size_t size = name_group_size(len);
    byte_queue *q = &sink.names;
    if (q->tail + size > q->cap) {
        size_t cap = q->cap ? q->cap : 4096;
        while (cap < q->tail + size) cap *= 2;
        uint8_t *grown = realloc(q->data, cap);
        if (!grown) return;
        q->data = grown;
        q->cap = cap;
    }
    trace_record r = { monotonic_ns(), lane, kind, file_id, -1, len, 0 };
    memcpy(q->data + q->tail, &r, sizeof r);
    memset(q->data + q->tail + sizeof r, 0, size - sizeof r);
    memcpy(q->data + q->tail + sizeof r, name, len);
    q->tail += size;
}

/* Moves whole name groups into `out` while they fit. True when none is left waiting. */
static bool drain_names(void) {
    byte_queue *q = &sink.names;
    while (q->head < q->tail) {
        trace_record r;
        memcpy(&r, q->data + q->head, sizeof r);
        size_t size = name_group_size(r.line);
        if (size > out_room()) return false;
        out_append(q->data + q->head, size);
        q->head += size;
    }
    q->head = q->tail = 0;
    return true;
}

/* Hands a lane's records to the sink: names first, so that no record names an unknown file. */
static void lane_flush(lane_buffer *b) {
    pthread_mutex_lock(&sink.lock);
    if (sink.dead) {
        b->count = 0;
        b->dropped = 0;
        pthread_mutex_unlock(&sink.lock);
        return;
    }
    sink_write();
    if (drain_names()) {
        size_t n = out_room() / TRACE_RECORD_SIZE;
        if (n > b->count) n = b->count;
        out_append(b->records, n * TRACE_RECORD_SIZE);
        memmove(b->records, b->records + n, (b->count - n) * TRACE_RECORD_SIZE);
        b->count -= (uint32_t)n;
        if (b->count == 0 && b->dropped > 0 && out_room() >= TRACE_RECORD_SIZE) {
            trace_record r = { monotonic_ns(), b->lane, TK_DROPPED, 0, -1, 0, (int64_t)b->dropped };
            out_append(&r, sizeof r);
            b->dropped = 0;
        }
    }
    sink_write();
    pthread_mutex_unlock(&sink.lock);
}

/* ---- lanes ---- */

/* Runs at thread exit (pthread key destructor): the last events of a thread are not lost. */
static void lane_destroy(void *p) {
    lane_buffer *b = p;
    lane_flush(b);
    if (this_lane == b) this_lane = NULL;
    free(b);
}

static lane_buffer *lane_get(void) {
    if (this_lane) return this_lane;
    lane_buffer *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->lane = atomic_fetch_add(&next_lane, 1);
    this_lane = b;
    pthread_setspecific(lane_key, b);
    return b;
}

static uint16_t file_id(const char *file, uint16_t *cache) {
    uint16_t id = __atomic_load_n(cache, __ATOMIC_RELAXED);
    if (id) return id;
    if (strncmp(file, "./", 2) == 0) file += 2;
    pthread_mutex_lock(&sink.lock);
    for (uint16_t i = 1; i <= sink.file_count && !id; i++)
        if (strcmp(sink.files[i], file) == 0) id = i;
    if (!id && sink.file_count < MAX_FILES) {
        char *copy = strdup(file);
        if (copy) {
            id = ++sink.file_count;
            sink.files[id] = copy;
            queue_name(TK_NAME_FILE, this_lane ? this_lane->lane : 0, id, copy);
        }
    }
    pthread_mutex_unlock(&sink.lock);
    __atomic_store_n(cache, id, __ATOMIC_RELAXED);
    return id;
}

void trace_emit(uint16_t kind, int32_t fd, int64_t value, const char *file, uint32_t line,
                uint16_t *file_id_cache, bool flush) {
    lane_buffer *b = lane_get();
    if (!b) return;
    uint16_t fid = file ? file_id(file, file_id_cache) : 0;
    if (b->count == LANE_CAPACITY) {
        lane_flush(b);
        if (b->count == LANE_CAPACITY) {
            b->dropped++;
            return;
        }
    }
    b->records[b->count++] = (trace_record){ monotonic_ns(), b->lane, kind, fid, fd, line, value };
    if (flush) lane_flush(b);
}

void trace_flush(void) {
    if (trace_enabled && this_lane) lane_flush(this_lane);
}

void trace_name_lane(const char *fmt, ...) {
    lane_buffer *b = lane_get();
    if (!b) return;
    char name[MAX_NAME + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&sink.lock);
    queue_name(TK_NAME_LANE, b->lane, 0, name);
    pthread_mutex_unlock(&sink.lock);
}

/* ---- opening and closing ---- */

static int connect_unix(const char *path) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path));
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static bool write_fully(int fd, const void *bytes, size_t len) {
    const uint8_t *p = bytes;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void encode_header(uint8_t h[TRACE_HEADER_SIZE]) {
    memset(h, 0, TRACE_HEADER_SIZE);
    memcpy(h, TRACE_MAGIC, sizeof TRACE_MAGIC); /* includes the NUL: 8 bytes */
    uint16_t u16[4] = { TRACE_VERSION, TRACE_HEADER_SIZE, TRACE_RECORD_SIZE, TRACE_SOURCE_SERVER };
    memcpy(h + 8, u16, sizeof u16);
    uint32_t pid = (uint32_t)getpid();
    memcpy(h + 16, &pid, sizeof pid);
    uint64_t start = monotonic_ns();
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    uint64_t unix_ns = (uint64_t)wall.tv_sec * 1000000000u + (uint64_t)wall.tv_nsec;
    memcpy(h + 24, &start, sizeof start);
    memcpy(h + 32, &unix_ns, sizeof unix_ns);
    strncpy((char *)h + 40, monotonic_clock_name(), 23);
}

void trace_open(const char *process_name) {
    const char *path = getenv(TRACE_ENV);
    if (!path || !*path) return;
    struct stat st;
    bool is_socket = stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
    int fd = is_socket ? connect_unix(path) : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "trace: cannot open %s: %s (running without a trace)\n", path, strerror(errno));
        return;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    uint8_t header[TRACE_HEADER_SIZE];
    encode_header(header);
    if (!write_fully(fd, header, sizeof header)) {
        fprintf(stderr, "trace: cannot write to %s: %s (running without a trace)\n", path, strerror(errno));
        close(fd);
        return;
    }
    if (is_socket) {
        set_nonblocking(fd);
#ifdef SO_NOSIGPIPE
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    }
    sink.fd = fd;
    sink.is_socket = is_socket;
    pthread_key_create(&lane_key, lane_destroy);
    trace_enabled = true;
    lane_get();
    pthread_mutex_lock(&sink.lock);
    queue_name(TK_NAME_PROCESS, this_lane ? this_lane->lane : 0, 0, process_name);
    pthread_mutex_unlock(&sink.lock);
    trace_name_lane("main");
    trace_flush();
}

void trace_close(void) {
    if (!trace_enabled) return;
    /* Keep flushing until this thread's records, its DROPPED count, the names and the shared
     * buffer are all out, or the deadline passes: stopping must stay within a second. */
    uint64_t deadline = monotonic_ns() + CLOSE_DRAIN_MS * 1000000ull;
    for (;;) {
        if (this_lane) lane_flush(this_lane);
        pthread_mutex_lock(&sink.lock);
        bool done = sink.dead || (sink.head == sink.tail && sink.names.head == sink.names.tail &&
                                  (!this_lane || (this_lane->count == 0 && this_lane->dropped == 0)));
        pthread_mutex_unlock(&sink.lock);
        uint64_t now = monotonic_ns();
        if (done || now >= deadline) break;
        struct pollfd p = { sink.fd, POLLOUT, 0 };
        poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
    }
    pthread_mutex_lock(&sink.lock);
    sink.dead = true; /* threads still running discard what they trace from now on */
    close(sink.fd);
    pthread_mutex_unlock(&sink.lock);
}
