/*
 * Log lines in the spirit of the notes ("peer 127.0.0.1:50412 connected", "Calling recv...").
 * One call prints one whole line and flushes it: stdout is a pipe when the extension or a test
 * runs the stage, and a line stuck in a buffer is a line the learner never sees.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>

#if defined(__GNUC__)
#define LOG_PRINTF_LIKE __attribute__((format(printf, 1, 2)))
#else
#define LOG_PRINTF_LIKE
#endif

/* A line about what the model is doing, on stdout; silenced by --quiet. */
void log_event(const char *fmt, ...) LOG_PRINTF_LIKE;

/* A line that must always be seen (startup, refusals, failures), on stdout even with --quiet. */
void log_always(const char *fmt, ...) LOG_PRINTF_LIKE;

/* A failed system call: "<what>: <strerror(errno)>" on stderr. */
void log_errno(const char *what);

void log_set_quiet(bool quiet);
bool log_is_quiet(void);

#endif
