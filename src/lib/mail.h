/*
 * mail.h: reports as email.  mail_format() makes one RFC 5322 message
 * whose structure no input can change: every header is built here from
 * checked addresses and encoded text, the body is plain UTF-8 text in
 * quoted-printable, so no line of it can end the SMTP data, pose as a
 * header or a MIME boundary, or be cut by a relay.  mail_send() hands it
 * to an SMTP server through libcurl and says whether trying again later
 * can help; mail_write_eml() leaves it for `sendmail -t` instead.
 */
#ifndef MAIL_H
#define MAIL_H

#include <stddef.h>

struct buf;

#define MAIL_ADDR_MAX	254	/* bytes of an address (RFC 5321) */
#define MAIL_RCPT_MAX	100	/* To and Cc addresses of a message */
#define MAIL_SUBJECT_MAX 200	/* characters of a subject */
#define MAIL_NAME_MAX	64	/* characters of a display name */
#define MAIL_BODY_MAX	((size_t)1 << 20)	/* bytes of body text */
#define MAIL_MSG_MAX	((size_t)4 << 20)	/* mail_send()'s limit */

/*
 * One message.  from is "Name <a@b>" or "a@b", from the config; to and
 * cc are NULL-terminated lists of bare addresses (cc may be NULL, and
 * may come from commit trailers through mail_address_from_trailer());
 * subject and body are untrusted text (body lines end in '\n');
 * message_id, in_reply_to and references are "<left@right>" ids, the
 * last two NULL when not a reply; date is in seconds since the epoch.
 */
struct mail {
	const char	*from;
	char *const	*to;
	char *const	*cc;
	const char	*subject;
	const char	*message_id;
	const char	*in_reply_to;
	const char	*references;	/* ids separated by spaces */
	const char	*body;
	long long	 date;
};

enum mail_result {
	MAIL_SENT,	/* accepted (err may name refused recipients) */
	MAIL_RETRY,	/* no answer, a 4xx or a setting to fix: later */
	MAIL_FAIL	/* a 5xx to its data or to all its recipients */
};

/*
 * The message, CRLF line ends, the body in quoted-printable.  NULL after
 * an error() when an address, message id or the date is not valid or
 * there is no recipient; untrusted text never fails, it is made safe
 * (see docs/mail.md).  *len, if len is not NULL, is its length.
 * Caller frees.
 */
char	*mail_format(const struct mail *, size_t *len);

/*
 * A message id that is the same for the same inputs, so that a message
 * sent again (or a reply's In-Reply-To) names the same one:
 * "<maestrino.KIND.HASH@DOMAIN>", HASH from kind and key.  Characters of
 * kind outside [a-z0-9-] become '-'.  NULL after an error() for a domain
 * that is not a host name.  Caller frees.
 */
char	*mail_message_id(const char *kind, const char *key,
	    const char *domain);

/*
 * True when addr is an address we send to: local@domain, at most
 * MAIL_ADDR_MAX bytes, the local part of [A-Za-z0-9._+=-] (no leading,
 * trailing or double dot, no leading '-'), the domain a host name.
 * Quotes, comments, spaces, commas, brackets and controls all fail.
 */
int	 mail_address_ok(const char *addr);

/*
 * The address of one mailbox as a Signed-off-by, Cc or From value has
 * it: "Name <a@b>", "\"Name, Jr.\" <a@b>", "<a@b>" or "a@b", each maybe
 * followed by a " # comment" (as in "Cc: stable@... # 6.1").  NULL when
 * it is not exactly one mailbox whose address mail_address_ok() takes:
 * controls, several addresses, '<' '>' '@' or unbalanced quotes in the
 * name, more than 512 bytes.  Caller frees.
 */
char	*mail_address_from_trailer(const char *value);

/* The domain of a valid address (borrowed from addr), or NULL. */
const char *mail_address_domain(const char *addr);

/*
 * The envelope recipients of m: its To and Cc addresses, each once
 * (compared without case), NULL-terminated, or NULL after an error() for
 * an invalid one or none.  Free with mail_list_free().
 */
char	**mail_recipients(const struct mail *m);
void	 mail_list_free(char **list);

/*
 * How mail_send() protects the password on smtp_url: MAIL_TLS_IMPLICIT
 * for smtps://; for smtp://, MAIL_TLS_REQUIRED (STARTTLS or nothing is
 * sent) with a password to a host that is not loopback, else
 * MAIL_TLS_TRY (STARTTLS when the server offers it).  -1 for a URL that
 * is neither.
 */
enum mail_tls {
	MAIL_TLS_IMPLICIT,
	MAIL_TLS_REQUIRED,
	MAIL_TLS_TRY
};
int	 mail_tls_policy(const char *smtp_url, const char *password);

/*
 * Send the len bytes of msg (as mail_format() makes it: CRLF lines of at
 * most 998 bytes, no NUL, at most MAIL_MSG_MAX) from from_addr to rcpts
 * (NULL-terminated, 1 to MAIL_RCPT_MAX) through smtp_url (smtp:// or
 * smtps://; its path, if any, is the name given in EHLO), logging in as
 * user with password when user is not NULL, with the TLS of
 * mail_tls_policy().  libcurl does the dot-stuffing.  Nothing is
 * printed: on MAIL_RETRY and MAIL_FAIL err says why in one line that
 * names the URL and the server's last reply, secrets masked and controls
 * shown; on MAIL_SENT it is empty, or names the recipients the server
 * refused (at most 5, "and N more") while taking the message for the
 * others.
 *
 * MAIL_FAIL is for this message only: an invalid address or message, a
 * 5xx to its data, or a 5xx to every recipient.  Whatever fails before
 * the server answered for a recipient (no connection, TLS, a login
 * refused, a bad URL or one with a user or password in it, even a 5xx to
 * the greeting, EHLO, AUTH or MAIL FROM) is the server's or the
 * settings' to fix: MAIL_RETRY with *early set (early may be NULL), so
 * that the caller sends nothing more for now and loses nothing.
 *
 * *retry (retry may be NULL) is a NULL-terminated list of recipients,
 * or NULL: on MAIL_SENT, those refused with a 4xx, owed the same message
 * later (NULL: none); on MAIL_RETRY, those owed it when some were
 * refused with a 5xx (NULL: all of rcpts).  The password is registered
 * with secret_add().  Free *retry with mail_list_free().
 */
enum mail_result mail_send(const char *smtp_url, const char *user,
		    const char *password, const char *from_addr,
		    char *const *rcpts, const char *msg, size_t len,
		    char ***retry, int *early, struct buf *err);

/*
 * Write msg to <dir>/<name>.eml atomically (fsync'd), with LF line ends,
 * for `sendmail -t < file`.  name must be of [A-Za-z0-9._-], not start
 * with '.', at most 120 bytes.  0, or -1 after an error().
 */
int	 mail_write_eml(const char *dir, const char *name, const char *msg,
	    size_t len);

#endif
