#include "common/clock.h"

#include <time.h>

uint64_t monotonic_ns(void) {
#if defined(__APPLE__)
    return clock_gettime_nsec_np(CLOCK_UPTIME_RAW);
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

const char *monotonic_clock_name(void) {
#if defined(__APPLE__)
    return "CLOCK_UPTIME_RAW";
#else
    return "CLOCK_MONOTONIC";
#endif
}

void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}
