/*
 * The open-file limit (RLIMIT_NOFILE) caps how many clients one process can hold: every
 * connection is an fd. The soft limit is often far below the hard one (1024 by default on many
 * Linux systems), and a process may raise its own soft limit up to the hard limit.
 */
#ifndef COMMON_FDLIMIT_H
#define COMMON_FDLIMIT_H

/* Raises the soft RLIMIT_NOFILE as far as allowed and returns the soft limit now in force
 * (what it was, if raising failed), or -1 if it cannot be read. */
long raise_fd_limit(void);

#endif
