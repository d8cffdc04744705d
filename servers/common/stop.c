#include "common/stop.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

static volatile sig_atomic_t stopping;
static atomic_int wake_fds[STOP_WAKE_MAX];

static void on_stop_signal(int sig) {
    (void)sig;
    stopping = 1;
    for (int i = 0; i < STOP_WAKE_MAX; i++) {
        int fd = atomic_load(&wake_fds[i]);
        if (fd >= 0) shutdown(fd, SHUT_RDWR);
    }
}

void stop_on_signals(void) {
    for (int i = 0; i < STOP_WAKE_MAX; i++) atomic_store(&wake_fds[i], -1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* deliberately no SA_RESTART */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

bool stop_requested(void) { return stopping != 0; }

void stop_wakes(int fd) {
    for (int i = 0; i < STOP_WAKE_MAX; i++) {
        int empty = -1;
        if (atomic_compare_exchange_strong(&wake_fds[i], &empty, fd)) return;
    }
}

void stop_forget(int fd) {
    for (int i = 0; i < STOP_WAKE_MAX; i++) {
        int expected = fd;
        atomic_compare_exchange_strong(&wake_fds[i], &expected, -1);
    }
}
