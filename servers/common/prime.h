#ifndef COMMON_PRIME_H
#define COMMON_PRIME_H

#include <stdint.h>

/* What trial division found, or that it gave up because a stop signal came first (stop.h).
 * The numbers are WORK_DONE's values in the trace (trace.h). */
typedef enum { PRIME_NO = 0, PRIME_YES = 1, PRIME_STOPPED = -1 } prime_verdict;

/* Plain trial division by every odd number up to sqrt(n): deliberately CPU-heavy, so that one
 * large prime (e.g. 1000000000000000003) keeps a core busy for seconds. The slow request is the
 * lesson; do not make this clever. It looks at the stop flag every so many divisions and gives
 * up, so that SIGTERM still ends a stage within a second while it computes. */
prime_verdict trial_division(uint64_t n);

#endif
