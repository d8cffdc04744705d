#ifndef COMMON_CLOCK_H
#define COMMON_CLOCK_H

#include <stdint.h>

/* Nanoseconds on the clock Node's process.hrtime() reads (libuv's uv_hrtime): CLOCK_MONOTONIC on
 * Linux, mach_absolute_time in ns (CLOCK_UPTIME_RAW) on macOS. Trace records from the server and
 * from the TypeScript client therefore share one time axis. */
uint64_t monotonic_ns(void);

/* The name written into the trace header, e.g. "CLOCK_MONOTONIC". */
const char *monotonic_clock_name(void);

/* Sleeps about `ms` milliseconds; returns early (EINTR) when a signal arrives. */
void sleep_ms(long ms);

#endif
