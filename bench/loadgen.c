/*
 * A minimal closed-loop load generator in C, the yardstick for the TypeScript one
 * (bench/README.md). One thread, level-triggered epoll, C connections; each waits for the server's
 * '*', then sends a frame ('^' + filler + '$'), waits for the whole reply (filler + 1, byte by
 * byte checked), and sends the next. Counts what completes inside the measured window.
 *
 *   loadgen HOST PORT CONNECTIONS DURATION_S [PAYLOAD_BYTES]
 *
 * Prints one JSON line: connections, duration_s, sent, received, throughput_msgs_per_s,
 * client_cpu_s, wrong_bytes, failed_connections. Linux only (epoll), like the stage it measures.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    int acked;
    size_t reply_pos; /* bytes of the current reply already checked */
    int alive;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static void raise_fd_limit(int needed) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)needed) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)needed ? rl.rlim_max : (rlim_t)needed;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Blocking connect, then non-blocking: the connect phase is not what is measured. */
static int open_conn(const struct sockaddr_in *addr) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s HOST PORT CONNECTIONS DURATION_S [PAYLOAD_BYTES]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    int nconn = atoi(argv[3]);
    double duration = atof(argv[4]);
    int payload = argc > 5 ? atoi(argv[5]) : 16;
    if (nconn < 1 || duration <= 0 || payload < 3 || payload > 65536) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit(nconn + 64);

    char *frame = malloc((size_t)payload);
    char *reply = malloc((size_t)payload);
    frame[0] = '^';
    for (int i = 1; i < payload - 1; i++) {
        frame[i] = (char)('a' + (i - 1) % 26);
        reply[i - 1] = (char)(frame[i] + 1);
    }
    frame[payload - 1] = '$';
    size_t reply_len = (size_t)payload - 2;

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "bad host %s\n", host);
        return 2;
    }

    int ep = epoll_create1(0);
    struct conn *conns = calloc((size_t)nconn, sizeof *conns);
    long failed = 0;
    for (int i = 0; i < nconn; i++) {
        conns[i].fd = open_conn(&addr);
        if (conns[i].fd < 0) {
            failed++;
            continue;
        }
        conns[i].alive = 1;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }

    /* Wait for every ack (bounded), then open the window with one frame per connection. */
    long acked = 0, alive = nconn - failed;
    struct epoll_event events[1024];
    char buf[65536];
    double ack_deadline = now_s() + 5;
    while (acked < alive && now_s() < ack_deadline) {
        int n = epoll_wait(ep, events, 1024, 100);
        for (int e = 0; e < n; e++) {
            struct conn *c = &conns[events[e].data.u32];
            ssize_t r = recv(c->fd, buf, 1, 0);
            if (r == 1 && buf[0] == '*' && !c->acked) {
                c->acked = 1;
                acked++;
            } else if (r <= 0) {
                c->alive = 0;
                alive--;
                close(c->fd);
            }
        }
    }

    long sent = 0, received = 0, wrong = 0;
    double cpu0 = cpu_s();
    double start = now_s();
    double end = start + duration;
    for (int i = 0; i < nconn; i++) {
        if (conns[i].alive && send(conns[i].fd, frame, (size_t)payload, 0) == payload) sent++;
    }
    double t = start;
    while (t < end && alive > 0) {
        int n = epoll_wait(ep, events, 1024, 50);
        t = now_s();
        for (int e = 0; e < n; e++) {
            struct conn *c = &conns[events[e].data.u32];
            ssize_t r = recv(c->fd, buf, sizeof buf, 0);
            if (r <= 0) {
                if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                c->alive = 0;
                alive--;
                close(c->fd);
                continue;
            }
            for (ssize_t k = 0; k < r; k++) {
                if (buf[k] != reply[c->reply_pos]) {
                    wrong++;
                    break;
                }
                if (++c->reply_pos == reply_len) {
                    c->reply_pos = 0;
                    if (t <= end) received++;
                    if (t < end && send(c->fd, frame, (size_t)payload, 0) == payload) sent++;
                }
            }
        }
    }
    double window = now_s() - start;
    double cpu = cpu_s() - cpu0;
    printf("{\"connections\":%d,\"duration_s\":%.3f,\"sent\":%ld,\"received\":%ld,"
           "\"throughput_msgs_per_s\":%.0f,\"client_cpu_s\":%.3f,\"wrong_bytes\":%ld,\"failed_connections\":%ld}\n",
           nconn, window, sent, received, (double)received / window, cpu, wrong, failed);
    for (int i = 0; i < nconn; i++)
        if (conns[i].alive) close(conns[i].fd);
    return wrong > 0 || failed > 0 ? 1 : 0;
}
