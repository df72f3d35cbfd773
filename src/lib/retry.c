/*
 * retry.c: the one backoff policy.
 */
#include "retry.h"

#define RETRY_MAX_DELAY	86400LL

long long
retry_backoff(long long base, long long n)
{
	long long d;

	if (base <= 0)
		return 0;
	if (n < 1)
		n = 1;
	if (n > 16)
		n = 16;
	d = base << (n - 1);
	return d > RETRY_MAX_DELAY ? RETRY_MAX_DELAY : d;
}
