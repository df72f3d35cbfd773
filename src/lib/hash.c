/*
 * hash.c: SHA-256 through libcrypto's EVP interface.
 */
#include <openssl/evp.h>

#include "hash.h"
#include "util.h"

struct hash {
	EVP_MD_CTX	*md;
};

struct hash *
hash_new(void)
{
	struct hash *h;

	h = xmalloc(sizeof(*h));
	h->md = EVP_MD_CTX_new();
	if (h->md == NULL || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
		die_oom();
	return h;
}

void
hash_add(struct hash *h, const void *p, size_t n)
{
	if (EVP_DigestUpdate(h->md, p, n) != 1)
		die_oom();
}

void
hash_hex(struct hash *h, char hex[HASH_HEX])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n, i;

	if (EVP_DigestFinal_ex(h->md, d, &n) != 1)
		die_oom();
	for (i = 0; i < n && i < HASH_LEN; i++)
		snprintf(hex + 2 * (size_t)i, 3, "%02x", d[i]);
	hex[2 * (size_t)i] = '\0';
	hash_free(h);
}

void
hash_free(struct hash *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

void
hash_bytes(const void *p, size_t n, unsigned char out[HASH_LEN])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn;

	if (EVP_Digest(p, n, d, &dn, EVP_sha256(), NULL) != 1 ||
	    dn != HASH_LEN)
		die_oom();
	memcpy(out, d, HASH_LEN);
}

int
hash_file(const char *path, char hex[HASH_HEX])
{
	struct hash *h;
	char b[65536];
	size_t n;
	FILE *fp;
	int saved;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return -1;
	h = hash_new();
	while ((n = fread(b, 1, sizeof(b), fp)) > 0)
		hash_add(h, b, n);
	if (ferror(fp)) {
		saved = errno;
		hash_free(h);
		fclose(fp);
		errno = saved;
		return -1;
	}
	fclose(fp);
	hash_hex(h, hex);
	return 0;
}
