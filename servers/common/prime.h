#ifndef COMMON_PRIME_H
#define COMMON_PRIME_H

#include <stdbool.h>
#include <stdint.h>

/* Plain trial division by every odd number up to sqrt(n): deliberately CPU-heavy, so that one
 * large prime (e.g. 1000000000000000003) keeps a core busy for seconds. The slow request is the
 * lesson; do not make this clever. */
bool is_prime(uint64_t n);

#endif
