#include "common/stop.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Atomic, not just volatile sig_atomic_t: other threads read it too (a pool thread, a carrier,
 * in the middle of trial division). Lock-free atomics are async-signal-safe. */
static atomic_int stopping;
static atomic_int wake_fds[STOP_WAKE_MAX];
static _Atomic(stop_wake_fn) wake_fn;

static void on_stop_signal(int sig) {
    (void)sig;
    /* The handler may run between a failed call and the line that reads its errno. */
    int saved_errno = errno;
    bool first = atomic_exchange(&stopping, 1) == 0;
    for (int i = 0; i < STOP_WAKE_MAX; i++) {
        int fd = atomic_load(&wake_fds[i]);
        if (fd >= 0) shutdown(fd, SHUT_RDWR);
    }
    /* Once only: the loop it wakes may be gone after the stop the first signal started. */
    stop_wake_fn wake = atomic_load(&wake_fn);
    if (first && wake) wake();
    errno = saved_errno;
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

bool stop_requested(void) { return atomic_load_explicit(&stopping, memory_order_relaxed) != 0; }

void stop_calls(stop_wake_fn wake) {
    atomic_store(&wake_fn, wake);
    /* A signal that came before the hook was set did not call it. One that lands in between
     * makes it run twice, which a wake-up may (uv_async_send coalesces). */
    if (wake && atomic_load(&stopping)) wake();
}

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
