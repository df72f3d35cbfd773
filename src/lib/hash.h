/*
 * hash.h: SHA-256, of bytes, of a stream and of a file (OpenSSL's
 * libcrypto).  Tarballs are checked with it, and long names digested.
 */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>

#define HASH_LEN	32	/* bytes of a digest */
#define HASH_HEX	65	/* its hex, with the NUL */

struct hash;

/* A stream to hash; hash_hex() ends it (and frees it). */
struct hash	*hash_new(void);
void		 hash_add(struct hash *, const void *p, size_t n);
void		 hash_hex(struct hash *, char hex[HASH_HEX]);
/* Free a stream not ended (NULL is a no-op). */
void		 hash_free(struct hash *);

/* The digest of n bytes at p. */
void	 hash_bytes(const void *p, size_t n, unsigned char out[HASH_LEN]);
/* The hex digest of a file; -1 with errno set when it cannot be read. */
int	 hash_file(const char *path, char hex[HASH_HEX]);

#endif
