/*
 * retry.h: the one backoff policy, for everything that is tried again
 * later (a job, a tarball, a KCIDB submission).
 */
#ifndef RETRY_H
#define RETRY_H

/*
 * Seconds to wait before try n + 1 after n failed ones (n >= 1):
 * base << (n - 1), doubling up to 2^15 times base and never more than
 * a day.
 */
long long	 retry_backoff(long long base, long long n);

#endif
