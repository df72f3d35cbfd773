/*
 * secret.h: the tokens Maestrino holds, kept out of what it starts and
 * out of what it stores, publishes or prints.
 *
 * A secret is the value of an environment variable that a config key
 * names (token_env).  Processes that run outside data (workers, builds,
 * lava-run, scripts) get an environment made from an allowlist, never
 * holding such a variable.  Everything from outside is masked before it
 * is stored, rendered, exported or printed: the value and its simple
 * encodings (base64 at any alignment, hex, reversed, percent-encoded)
 * become "***".
 */
#ifndef SECRET_H
#define SECRET_H

#include <stddef.h>

struct buf;
struct json_t;

/*
 * Mask value (and its encodings) from now on.  0 for a value too short
 * to mask (under 4 bytes: it would mask words), else 1.
 */
int	 secret_add(const char *value);
/*
 * The variable name holds a secret: never pass it to a child, and mask
 * its value when it is set.  0 when its value is too short to mask.
 */
int	 secret_add_env(const char *name);
/* The number of values masked. */
size_t	 secret_count(void);

/* A malloc'd copy of s with every secret masked. */
char	*secret_mask(const char *s);
/* Mask the contents of b in place. */
void	 secret_mask_buf(struct buf *b);
/* Mask every string of a JSON value, at any depth, in place. */
void	 secret_mask_json(struct json_t *v);

/*
 * The environment for a child process that runs outside data: the
 * variables of the built-in allowlist (PATH, HOME, locale, proxies,
 * TMPDIR, ...) and those passed with secret_env_pass(), never a secret
 * variable.  The array and its strings are the module's, valid until
 * the next call.
 */
char	**secret_child_env(void);
/* Also pass the variable name (settings.build_env) to children. */
void	 secret_env_pass(const char *name);
/*
 * Pass every variable of this process's environment on: for a worker,
 * whose environment was already made by secret_child_env().
 */
void	 secret_env_pass_all(void);

/*
 * The secret values, NUL-separated, for a worker that must mask what it
 * stores (secret_load() reads them back).  Caller frees; *len set.
 */
char	*secret_export(size_t *len);
/* Read secrets written by secret_export() from fd until EOF. */
int	 secret_load(int fd);

#endif
