/*
 * Checks of the kqueue shim itself, against what kqueue(2) promises, so that a bug of the shim
 * cannot hide a bug of a kqueue backend (or the other way round). test/servers/kqueue.test.ts
 * compiles it with kqueue_shim.c and runs it: each check prints "ok <name>" or
 * "FAIL <name>: <what>", and the exit status is the number of failures.
 *
 * Sockets are real TCP connections on 127.0.0.1, as the stages use. Nothing here sleeps and
 * hopes: readiness is created before it is asked for, and the one wait that has to block is
 * ended by a helper thread that acts only after a fixed delay, which the check then measures.
 */
#include <sys/event.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int failures;
static const char *current;

#define CHECK(cond, ...)                                  \
    do {                                                  \
        if (!(cond)) {                                    \
            printf("FAIL %s: line %d: ", current, __LINE__); \
            printf(__VA_ARGS__);                          \
            printf("\n");                                 \
            failures++;                                   \
            return;                                       \
        }                                                 \
    } while (0)

static const struct timespec ZERO = {0, 0};

/* Distinct addresses to hand over as udata. */
static char tag_a, tag_b, tag_c, tag_d;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

/* A connected TCP pair on 127.0.0.1: *mine is the accepted end, *peer the connecting one. */
static int tcp_pair(int *mine, int *peer) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1) != 0 ||
        getsockname(listener, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    *peer = socket(AF_INET, SOCK_STREAM, 0);
    if (*peer < 0 || connect(*peer, (struct sockaddr *)&addr, sizeof addr) != 0) return -1;
    *mine = accept(listener, NULL, NULL);
    close(listener);
    return *mine < 0 ? -1 : 0;
}

static int change(int kq, int fd, short filter, unsigned short flags, void *udata) {
    struct kevent ev;
    EV_SET(&ev, fd, filter, flags, 0, 0, udata);
    return kevent(kq, &ev, 1, NULL, 0, NULL);
}

/* Polls (zero timeout) into `out` and returns how many events came. */
static int poll_now(int kq, struct kevent *out, int max) { return kevent(kq, NULL, 0, out, max, &ZERO); }

static const struct kevent *find(const struct kevent *evs, int n, int fd, short filter) {
    for (int i = 0; i < n; i++)
        if ((int)evs[i].ident == fd && evs[i].filter == filter) return &evs[i];
    return NULL;
}

static void read_and_write_filters_are_independent(void) {
    current = "read and write filters on one fd are independent, each with its own udata";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    CHECK(change(kq, mine, EVFILT_READ, EV_ADD, &tag_a) == 0, "add read: %s", strerror(errno));
    CHECK(change(kq, mine, EVFILT_WRITE, EV_ADD, &tag_b) == 0, "add write: %s", strerror(errno));
    struct kevent evs[8];
    int n = poll_now(kq, evs, 8);
    CHECK(n == 1, "nothing to read yet: 1 event (write), got %d", n);
    CHECK(evs[0].filter == EVFILT_WRITE && (int)evs[0].ident == mine && evs[0].udata == &tag_b, "the write filter with its udata");
    CHECK(evs[0].flags == 0, "no EV_EOF/EV_ERROR on a healthy socket, flags %#x", evs[0].flags);
    CHECK(write(peer, "hello", 5) == 5, "write");
    n = poll_now(kq, evs, 8);
    CHECK(n == 2, "data waits and there is room: 2 events, got %d", n);
    const struct kevent *r = find(evs, n, mine, EVFILT_READ), *w = find(evs, n, mine, EVFILT_WRITE);
    CHECK(r && w, "one read and one write entry");
    CHECK(r->udata == &tag_a && w->udata == &tag_b, "each entry carries its own filter's udata");
    CHECK(r->data == 5, "the read filter's data is the bytes waiting: 5, got %ld", (long)r->data);
    /* Room for one event only: the other one is not lost, the next call reports it. */
    n = poll_now(kq, evs, 1);
    CHECK(n == 1, "eventlist of 1: 1 event, got %d", n);
    n = poll_now(kq, evs, 8);
    CHECK(n == 2, "level-triggered: both still there, got %d", n);
    close(mine);
    close(peer);
    close(kq);
    printf("ok read and write filters\n");
}

static void delete_one_filter_keeps_the_other(void) {
    current = "EV_DELETE of one filter keeps the other";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    CHECK(write(peer, "abc", 3) == 3, "write");
    CHECK(change(kq, mine, EVFILT_READ, EV_ADD, &tag_a) == 0 && change(kq, mine, EVFILT_WRITE, EV_ADD, &tag_b) == 0, "add both");
    CHECK(change(kq, mine, EVFILT_WRITE, EV_DELETE, NULL) == 0, "delete write: %s", strerror(errno));
    struct kevent evs[8];
    int n = poll_now(kq, evs, 8);
    CHECK(n == 1 && evs[0].filter == EVFILT_READ && evs[0].udata == &tag_a && evs[0].data == 3, "only the read filter is left, got %d events", n);
    CHECK(change(kq, mine, EVFILT_WRITE, EV_DELETE, NULL) == -1 && errno == ENOENT, "deleting it again: ENOENT");
    CHECK(change(kq, mine, EVFILT_WRITE, EV_ADD, &tag_c) == 0 && change(kq, mine, EVFILT_READ, EV_DELETE, NULL) == 0, "swap");
    n = poll_now(kq, evs, 8);
    CHECK(n == 1 && evs[0].filter == EVFILT_WRITE && evs[0].udata == &tag_c, "only the write filter is left, got %d events", n);
    CHECK(change(kq, mine, EVFILT_WRITE, EV_DELETE, NULL) == 0, "delete the last one");
    n = poll_now(kq, evs, 8);
    CHECK(n == 0, "nothing registered: no events, got %d", n);
    close(mine);
    close(peer);
    close(kq);
    printf("ok delete one filter\n");
}

static void eof_when_the_peer_closes(void) {
    current = "EV_EOF: on the read filter at the peer's FIN, on the write filter once the peer is gone";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    CHECK(change(kq, mine, EVFILT_READ, EV_ADD, &tag_a) == 0 && change(kq, mine, EVFILT_WRITE, EV_ADD, &tag_b) == 0, "add both");
    CHECK(write(peer, "xy", 2) == 2, "write");
    struct kevent evs[8];
    int n = poll_now(kq, evs, 8);
    const struct kevent *r = find(evs, n, mine, EVFILT_READ);
    CHECK(r && !(r->flags & EV_EOF), "data alone: no EV_EOF");
    CHECK(shutdown(peer, SHUT_WR) == 0, "shutdown");
    /* The FIN crosses loopback asynchronously: wait for it in kevent itself, up to 5 s. */
    struct timespec five = {5, 0};
    double until = now_ms() + 5000;
    do {
        n = kevent(kq, NULL, 0, evs, 8, &five);
        r = find(evs, n, mine, EVFILT_READ);
    } while (r && !(r->flags & EV_EOF) && now_ms() < until);
    CHECK(r && (r->flags & EV_EOF), "the peer's FIN sets EV_EOF on the read filter");
    CHECK(r->data == 2, "with the 2 unread bytes still counted in data, got %ld", (long)r->data);
    const struct kevent *w = find(evs, n, mine, EVFILT_WRITE);
    CHECK(w && !(w->flags & EV_EOF), "a half-closed peer still takes our bytes: no EV_EOF on the write filter");
    /* Now a reset: nothing can be sent any more. */
    struct linger hard = {.l_onoff = 1, .l_linger = 0};
    CHECK(setsockopt(peer, SOL_SOCKET, SO_LINGER, &hard, sizeof hard) == 0, "SO_LINGER");
    close(peer);
    until = now_ms() + 5000;
    do {
        n = kevent(kq, NULL, 0, evs, 8, &five);
        w = find(evs, n, mine, EVFILT_WRITE);
    } while (w && !(w->flags & EV_EOF) && now_ms() < until);
    CHECK(w && (w->flags & EV_EOF) && w->udata == &tag_b, "the reset sets EV_EOF on the write filter");
    close(mine);
    close(kq);
    printf("ok eof\n");
}

static void udata_round_trip(void) {
    current = "udata comes back as given, and EV_ADD again replaces it";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    void *odd = (void *)(uintptr_t)0xfedcba9876543210u; /* never dereferenced: all 64 bits must survive */
    CHECK(change(kq, mine, EVFILT_WRITE, EV_ADD, odd) == 0, "add");
    struct kevent evs[4];
    int n = poll_now(kq, evs, 4);
    CHECK(n == 1 && evs[0].udata == odd, "the same 64 bits back");
    CHECK(change(kq, mine, EVFILT_WRITE, EV_ADD, &tag_d) == 0, "add again");
    n = poll_now(kq, evs, 4);
    CHECK(n == 1 && evs[0].udata == &tag_d, "re-adding changes the udata and does not duplicate the pair, got %d events", n);
    CHECK(change(kq, mine, EVFILT_WRITE, EV_ADD, NULL) == 0, "add with NULL");
    n = poll_now(kq, evs, 4);
    CHECK(n == 1 && evs[0].udata == NULL, "NULL is a udata too (06 and 09 use it for the listener and the wake pipe)");
    close(mine);
    close(peer);
    close(kq);
    printf("ok udata\n");
}

static void *write_later(void *arg) {
    struct timespec delay = {0, 150 * 1000000L};
    nanosleep(&delay, NULL);
    if (write(*(int *)arg, "!", 1) != 1) perror("write");
    return NULL;
}

static void timeouts(void) {
    current = "a zero timeout polls, a timeout is waited out, NULL blocks until an event";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    CHECK(change(kq, mine, EVFILT_READ, EV_ADD, &tag_a) == 0, "add read");
    struct kevent evs[4];
    double t0 = now_ms();
    int n = kevent(kq, NULL, 0, evs, 4, &ZERO);
    double zero_ms = now_ms() - t0;
    CHECK(n == 0 && zero_ms < 50, "zero timeout: 0 events at once, got %d after %.1f ms", n, zero_ms);
    struct timespec short_wait = {0, 120 * 1000000L};
    t0 = now_ms();
    n = kevent(kq, NULL, 0, evs, 4, &short_wait);
    double waited = now_ms() - t0;
    CHECK(n == 0 && waited >= 119 && waited < 1000, "120 ms timeout: 0 events after 120 ms, got %d after %.1f ms", n, waited);
    pthread_t thread;
    t0 = now_ms(); /* before the thread starts: its write comes 150 ms after this at the earliest */
    CHECK(pthread_create(&thread, NULL, write_later, &peer) == 0, "thread");
    n = kevent(kq, NULL, 0, evs, 4, NULL);
    double blocked = now_ms() - t0;
    pthread_join(thread, NULL);
    CHECK(n == 1 && evs[0].udata == &tag_a && evs[0].data == 1, "NULL timeout: the read event, got %d", n);
    CHECK(blocked >= 150, "NULL timeout blocked until the write 150 ms later, returned after %.1f ms", blocked);
    /* A change with no room for events applies and returns at once, whatever the timeout. */
    t0 = now_ms();
    CHECK(change(kq, mine, EVFILT_WRITE, EV_ADD, &tag_b) == 0 && now_ms() - t0 < 50, "changes only: no wait");
    close(mine);
    close(peer);
    close(kq);
    printf("ok timeouts\n");
}

static void oneshot_and_disable(void) {
    current = "EV_ONESHOT removes the filter once reported; EV_DISABLE silences it, EV_ENABLE brings it back";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    CHECK(write(peer, "q", 1) == 1, "write");
    CHECK(change(kq, mine, EVFILT_READ, EV_ADD | EV_ONESHOT, &tag_a) == 0 && change(kq, mine, EVFILT_WRITE, EV_ADD, &tag_b) == 0, "add");
    struct kevent evs[4];
    int n = poll_now(kq, evs, 4);
    const struct kevent *r = find(evs, n, mine, EVFILT_READ);
    CHECK(n == 2 && r && (r->flags & EV_ONESHOT) && r->udata == &tag_a, "both fire once, got %d", n);
    n = poll_now(kq, evs, 4);
    CHECK(n == 1 && evs[0].filter == EVFILT_WRITE, "the one-shot read filter is gone although data still waits, got %d", n);
    CHECK(change(kq, mine, EVFILT_READ, EV_DELETE, NULL) == -1 && errno == ENOENT, "deleted: ENOENT");
    CHECK(change(kq, mine, EVFILT_READ, EV_ADD | EV_ONESHOT, &tag_c) == 0, "armed again");
    n = poll_now(kq, evs, 4);
    r = find(evs, n, mine, EVFILT_READ);
    CHECK(r && r->udata == &tag_c, "fires again with the new udata");
    CHECK(change(kq, mine, EVFILT_WRITE, EV_DISABLE, NULL) == 0, "disable");
    n = poll_now(kq, evs, 4);
    CHECK(n == 0, "disabled: silent, got %d", n);
    CHECK(change(kq, mine, EVFILT_WRITE, EV_ENABLE, NULL) == 0, "enable");
    n = poll_now(kq, evs, 4);
    CHECK(n == 1 && evs[0].udata == &tag_b, "enabled: back, with the udata it had, got %d", n);
    close(mine);
    close(peer);
    close(kq);
    printf("ok oneshot and disable\n");
}

static void changelist_errors(void) {
    current = "changelist errors: EV_ERROR entries while there is room, else -1 and errno";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    struct kevent changes[3], out[4];
    EV_SET(&changes[0], mine, EVFILT_READ, EV_DELETE, 0, 0, &tag_a); /* never added: ENOENT */
    EV_SET(&changes[1], mine, EVFILT_WRITE, EV_ADD, 0, 0, &tag_b);   /* fine */
    EV_SET(&changes[2], 100000, EVFILT_READ, EV_ADD, 0, 0, &tag_c);  /* not open: EBADF */
    int n = kevent(kq, changes, 3, out, 4, NULL);
    CHECK(n == 2, "two errors reported, without waiting (NULL timeout), got %d", n);
    CHECK(out[0].flags == EV_ERROR && out[0].data == ENOENT && out[0].udata == &tag_a && (int)out[0].ident == mine, "ENOENT entry, as the change");
    CHECK(out[1].flags == EV_ERROR && out[1].data == EBADF && out[1].ident == 100000 && out[1].udata == &tag_c, "EBADF entry");
    n = poll_now(kq, out, 4);
    CHECK(n == 1 && out[0].filter == EVFILT_WRITE && out[0].udata == &tag_b, "the good change between them was applied, got %d", n);
    /* No room: -1 with the first error's errno, and what follows it is not applied. */
    EV_SET(&changes[0], mine, EVFILT_READ, EV_DELETE, 0, 0, NULL);
    EV_SET(&changes[1], mine, EVFILT_READ, EV_ADD, 0, 0, &tag_a);
    CHECK(kevent(kq, changes, 2, NULL, 0, NULL) == -1 && errno == ENOENT, "no room: -1, ENOENT");
    CHECK(write(peer, "z", 1) == 1, "write");
    n = poll_now(kq, out, 4);
    CHECK(n == 1 && out[0].filter == EVFILT_WRITE, "the change after the failed one was not applied, got %d", n);
    EV_SET(&changes[0], mine, 42, EV_ADD, 0, 0, NULL);
    CHECK(kevent(kq, changes, 1, NULL, 0, NULL) == -1 && errno == EINVAL, "an unknown filter: EINVAL");
    CHECK(kevent(mine, NULL, 0, out, 4, &ZERO) == -1 && errno == EBADF, "a descriptor that is not a kqueue: EBADF");
    close(mine);
    close(peer);
    close(kq);
    printf("ok changelist errors\n");
}

static void closed_fd_forgets_its_filters(void) {
    current = "closing an fd removes its filters; a new file on the same number starts clean";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    CHECK(change(kq, mine, EVFILT_READ, EV_ADD, &tag_a) == 0 && change(kq, mine, EVFILT_WRITE, EV_ADD | EV_ONESHOT, &tag_b) == 0, "add");
    int again, again_peer; /* opened first, so that neither takes the number closed below */
    CHECK(tcp_pair(&again, &again_peer) == 0, "second pair");
    int number = mine;
    close(mine); /* no EV_DELETE: close() alone must drop both */
    struct kevent evs[4];
    int n = poll_now(kq, evs, 4);
    CHECK(n == 0, "a closed fd reports nothing, got %d", n);
    CHECK(dup2(again, number) == number, "the second pair's socket on fd %d", number);
    close(again);
    /* The new socket has data waiting, so a stale read filter (udata tag_a) would fire. */
    CHECK(write(again_peer, "new", 3) == 3, "write");
    CHECK(change(kq, number, EVFILT_WRITE, EV_ADD, &tag_c) == 0, "add write on the new socket: %s", strerror(errno));
    double until = now_ms() + 2000;
    int bytes = 0;
    while (bytes < 3 && now_ms() < until) { /* until the 3 bytes are readable on the new socket */
        char peek[4];
        bytes = (int)recv(number, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
    }
    CHECK(bytes == 3, "the new socket's 3 bytes arrived");
    n = poll_now(kq, evs, 4);
    CHECK(n == 1 && evs[0].filter == EVFILT_WRITE && evs[0].udata == &tag_c, "only the new write filter, no stale read filter, got %d", n);
    CHECK(change(kq, number, EVFILT_READ, EV_DELETE, NULL) == -1 && errno == ENOENT, "the old read filter is gone: ENOENT");
    close(number);
    CHECK(change(kq, number, EVFILT_WRITE, EV_DELETE, NULL) == -1 && errno == EBADF, "EV_DELETE on a closed fd: EBADF");
    close(again_peer);
    close(peer);
    close(kq);
    printf("ok closed fd\n");
}

static void new_kqueue_on_a_closed_ones_number(void) {
    current = "a kqueue closed and a new one on its number: the new one starts empty";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    CHECK(write(peer, "d", 1) == 1, "write");
    CHECK(change(kq, mine, EVFILT_READ, EV_ADD, &tag_a) == 0, "add read");
    int number = kq;
    close(kq);
    int kq2 = kqueue(); /* the lowest free number: the old one's */
    CHECK(kq2 == number, "the new kqueue got fd %d, not the old one's %d", kq2, number);
    CHECK(change(kq2, mine, EVFILT_WRITE, EV_ADD, &tag_b) == 0, "add write");
    struct kevent evs[4];
    int n = poll_now(kq2, evs, 4);
    CHECK(n == 1 && evs[0].filter == EVFILT_WRITE && evs[0].udata == &tag_b, "only its own filter, none of the old queue's, got %d", n);
    close(mine);
    close(peer);
    close(kq2);
    printf("ok new kqueue\n");
}

struct waiter {
    int kq;
    _Atomic pid_t tid;
    int n;
    struct kevent ev;
};

static void *wait_forever(void *arg) {
    struct waiter *w = arg;
    w->tid = gettid();
    w->n = kevent(w->kq, NULL, 0, &w->ev, 1, NULL);
    return NULL;
}

/* Whether thread `tid` of this process sits in epoll_wait now: /proc/self/task/<tid>/syscall
 * starts with the number of the system call it is blocked in. */
static bool in_epoll_wait(pid_t tid) {
    if (tid == 0) return false;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    long nr = -1;
    int got = fscanf(f, "%ld", &nr);
    fclose(f);
#ifdef SYS_epoll_wait
    if (got == 1 && nr == SYS_epoll_wait) return true;
#endif
    return got == 1 && nr == SYS_epoll_pwait;
}

static void change_from_another_thread(void) {
    current = "a filter added by one thread wakes another thread waiting in kevent (09's carriers and poller)";
    int kq = kqueue(), mine, peer;
    CHECK(kq >= 0 && tcp_pair(&mine, &peer) == 0, "setup: %s", strerror(errno));
    struct waiter w = {.kq = kq, .n = -2};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, wait_forever, &w) == 0, "thread");
    /* The interesting case: the waiter is already asleep in epoll_wait when the filter comes. */
    double until = now_ms() + 5000;
    while (!in_epoll_wait(w.tid) && now_ms() < until) sched_yield();
    CHECK(in_epoll_wait(w.tid), "the waiting thread is in epoll_wait");
    CHECK(change(kq, mine, EVFILT_WRITE, EV_ADD | EV_ONESHOT, &tag_d) == 0, "add");
    struct timespec limit;
    clock_gettime(CLOCK_REALTIME, &limit);
    limit.tv_sec += 5;
    int rc = pthread_timedjoin_np(thread, NULL, &limit);
    CHECK(rc == 0, "the waiting thread returned within 5 s");
    CHECK(w.n == 1 && w.ev.udata == &tag_d && w.ev.filter == EVFILT_WRITE, "with the new filter's event, got %d", w.n);
    close(mine);
    close(peer);
    close(kq);
    printf("ok another thread\n");
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    read_and_write_filters_are_independent();
    delete_one_filter_keeps_the_other();
    eof_when_the_peer_closes();
    udata_round_trip();
    timeouts();
    oneshot_and_disable();
    changelist_errors();
    closed_fd_forgets_its_filters();
    new_kqueue_on_a_closed_ones_number();
    change_from_another_thread();
    return failures;
}
