#include "common/stop.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* Blocks in read() on stdin until the parent's end of the pipe closes, then stops the stage. */
static void *watch_parent(void *unused) {
    (void)unused;
    /* Named so that thread counts (the lessons of 02 and 09) can leave it out. */
#if defined(__APPLE__)
    pthread_setname_np("parent-watch");
#elif defined(__linux__)
    pthread_setname_np(pthread_self(), "parent-watch");
#endif
    char byte;
    for (;;) {
        ssize_t n = read(STDIN_FILENO, &byte, 1);
        if (n == 0 || (n < 0 && errno != EINTR)) break;
    }
    kill(getpid(), SIGTERM);
    return NULL;
}

static void watch_parent_if_asked(void) {
    if (!getenv("SERVER_MODELS_PARENT_PIPE")) return;
    /* The watcher must not take the stop signals itself: they should interrupt the threads that
     * are blocked in the lesson's calls. The new thread inherits this mask. */
    sigset_t stop_signals, previous;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
    pthread_t watcher;
    if (pthread_create(&watcher, NULL, watch_parent, NULL) == 0) pthread_detach(watcher);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
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
    watch_parent_if_asked();
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
