#include "common/prime.h"

#include "common/stop.h"

/* Measured on x86-64: a division takes 2.5 ns (gcc -O2) to 5 ns (clang -O2, or the ASan+UBSan
 * build), so the flag is read every 0.16-0.33 ms: a stop is seen well within a millisecond, with
 * room for a machine ten times slower (qemu). What the check costs is lost in the division's
 * latency: this loop ran within 1 % of the one without it, in every build. */
#define DIVISIONS_PER_STOP_CHECK 65536

prime_verdict trial_division(uint64_t n) {
    if (n < 2) return PRIME_NO;
    if (n < 4) return PRIME_YES;
    if (n % 2 == 0) return PRIME_NO;
    unsigned until_check = DIVISIONS_PER_STOP_CHECK;
    /* d <= n / d rather than d * d <= n: no overflow near 2^63. */
    for (uint64_t d = 3; d <= n / d; d += 2) {
        if (n % d == 0) return PRIME_NO;
        if (--until_check == 0) {
            if (stop_requested()) return PRIME_STOPPED;
            until_check = DIVISIONS_PER_STOP_CHECK;
        }
    }
    return PRIME_YES;
}
