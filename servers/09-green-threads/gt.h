/*
 * Green threads, M:N: many green threads (one per client here) run on a few carrier OS threads.
 * A green thread is a function with its own small stack. It runs on a carrier until it would
 * block; then it parks: the carrier saves its registers, registers interest in the fd with the
 * poller, unmounts it and mounts the next runnable one. When the fd is ready the poller puts the
 * green thread back on the run queue, and any free carrier mounts it again, right after the
 * call that parked it. Code written in plain blocking style therefore never blocks a carrier,
 * unless it computes: a long computation keeps (pins) its carrier the whole time.
 */
#ifndef GT_H
#define GT_H

#include <stddef.h>
#include <sys/types.h>

#include "common/net.h"

/* Starts `carriers` carrier threads and the poller thread. Returns 0, or -1 with errno. */
int gt_runtime_start(int carriers);
/* Stops the carriers and the poller (after each carrier's current green thread parks or ends),
 * then frees the green threads still parked, closing the fds they own. */
void gt_runtime_stop(void);

/* The most bytes of argument gt_spawn copies for a new green thread. */
#define GT_ARG_MAX 128

/* The call the poller thread sleeps in: "epoll_wait" or "kevent". */
const char *gt_poller_wait_call(void);

/* Creates a green thread that runs fn(copy of arg) and makes it runnable. The arg bytes are
 * copied into the green thread, so nothing is left to free if it never runs. `owned_fd` (or -1)
 * is closed by gt_runtime_stop if the green thread has not finished by then. Returns its id, or
 * -1 (errno set). */
long gt_spawn(void (*fn)(void *arg), const void *arg, size_t arg_size, int owned_fd);

/* Inside a green thread: its id, and the index of the carrier it is mounted on right now. */
long gt_id(void);
int gt_carrier_index(void);

/* Blocking-style I/O for green threads on non-blocking fds: when the call would block, the
 * green thread parks until the fd is ready. They return like read/write/accept, except that a
 * failure returns -errno instead of setting errno (errno is per carrier, and the green thread
 * may have moved to another carrier since the call that failed). */
ssize_t gt_read(int fd, void *buf, size_t len);
ssize_t gt_write_all(int fd, const void *buf, size_t len);
/* accept_peer (common/net.h) that parks; the new fd is non-blocking. */
int gt_accept(int listener, char name[PEER_NAME_MAX]);
/* Forgets fd in the poller and closes it. */
void gt_close(int fd);

/* Goes to the back of the run queue, letting other green threads use the carrier. */
void gt_yield(void);

/* Marks a stretch that computes without parking: the carrier is pinned to this green thread. */
void gt_pin_begin(void);
void gt_pin_end(void);

#endif
