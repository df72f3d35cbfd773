/*
 * logsig.c: failure signatures from build and console logs.
 *
 * Both parsers read the log once, line by line, and look at a line
 * through fixed strings only: for the console, a table of headlines
 * matched at the start of the message (after the timestamp and other
 * noise), and for the build, a table of markers that follow a
 * "file:line:col".  A finding gathers the lines after its first one (on
 * the console, up to the end of its first call trace), is normalised to
 * a signature, hashed, and merged with an earlier finding of the same
 * hash.  No state is kept per line, so the time is linear in the log
 * and the memory bounded by LOGSIG_MAX, whatever the log holds.
 */
#include "buf.h"
#include "hash.h"
#include "logsig.h"
#include "safe.h"
#include "util.h"

#define SUMMARY_MAX	200	/* bytes of a summary */
#define SIGNATURE_MAX	512	/* bytes of a signature */
#define LINES_MAX	64	/* lines of a finding kept */
#define LINES_BYTES	8192	/* and their bytes */
#define LINE_KEEP	1024	/* bytes of one line looked at or kept */
#define HEAD_LINES	24	/* lines kept before the call trace */
#define WINDOW		300	/* lines from a headline to its call trace */
#define FOREIGN_MAX	8	/* other lines in a row inside a trace */
#define NFRAMES		5	/* functions in a signature */
#define FRAMES_LOOKED	32	/* frames of a trace looked at for them */
#define FRAME_MAX	96	/* bytes of a function (and module) name */
#define HEADLINE_MAX	320	/* bytes of a normalised headline */
#define SILENCE_LINES	10	/* lines before silence kept */

/*
 * Text
 */

static int
is_ident(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
starts(const char *s, size_t n, const char *prefix)
{
	size_t k;

	k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

static int
contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* Past an ANSI escape sequence (CSI, OSC or two bytes) at p. */
static const char *
skip_ansi(const char *p, const char *e)
{
	p++;
	if (p < e && *p == '[') {
		for (p++; p < e && (unsigned char)*p >= 0x20 &&
		    (unsigned char)*p <= 0x3f; p++)
			;
		return p < e ? p + 1 : p;
	}
	if (p < e && *p == ']') {
		for (p++; p < e && *p != '\a' && *p != 0x1b; p++)
			;
		return p < e && *p == '\a' ? p + 1 : p;
	}
	return p < e ? p + 1 : p;
}

/* True for the code points that are controls or turn text around. */
static int
is_control(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a &&
	    cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029;
}

/*
 * Append n bytes at s to b as text for people: valid UTF-8 (U+FFFD for
 * a byte that is not), without ANSI escapes, NULs or control characters
 * other than the tab, and b no longer than max bytes, cut at a
 * character.
 */
static void
text_add(struct buf *b, const char *s, size_t n, size_t max)
{
	const unsigned char *p, *e, *q;
	unsigned cp;
	size_t k;

	p = (const unsigned char *)s;
	e = p + n;
	while (p < e && b->len < max) {
		for (q = p; q < e && ((*q >= 0x20 && *q < 0x7f) || *q == '\t');
		    q++)
			;
		if (q > p) {
			k = (size_t)(q - p);
			if (k > max - b->len)
				k = max - b->len;
			buf_add(b, p, k);
			p += k;
			continue;
		}
		if (*p == 0x1b) {
			p = (const unsigned char *)skip_ansi((const char *)p,
			    (const char *)e);
			continue;
		}
		if (*p < 0x80) {
			p++;	/* a control character */
			continue;
		}
		k = safe_utf8_seq(p, (size_t)(e - p));
		if (k == 0) {
			if (b->len + 3 > max)
				break;
			buf_add(b, "\xef\xbf\xbd", 3);
			p++;
			continue;
		}
		cp = k == 2 ? (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu) :
		    k == 3 ? (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 |
		    (p[2] & 0x3fu) : 0x10000;
		if (!is_control(cp)) {
			if (b->len + k > max)
				break;
			buf_add(b, p, k);
		}
		p += k;
	}
}

/* The longest start of UTF-8 s (n bytes) of at most max bytes. */
static size_t
utf8_floor(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* Cut b to at most max bytes, at the start of a character. */
static void
cut_utf8(struct buf *b, size_t max)
{
	buf_setlen(b, utf8_floor(b->ptr, b->len, max));
}

/* Past "+0x1a/0x40" at s[i], or i when there is none. */
static size_t
skip_offset(const char *s, size_t n, size_t i)
{
	size_t j, h;
	int part;

	j = i;
	if (j >= n || s[j] != '+')
		return i;
	j++;
	for (part = 0; part < 2; part++) {
		if (j + 2 > n || s[j] != '0' || s[j + 1] != 'x')
			return i;
		for (h = j += 2; j < n && is_hex(s[j]); j++)
			;
		if (j == h)
			return i;
		if (part == 0) {
			if (j >= n || s[j] != '/')
				return i;
			j++;
		}
	}
	return j;
}

/* The top directories of a kernel tree, to find one in a long path. */
static const char *const kernel_dirs[] = {
	"/arch/", "/block/", "/certs/", "/crypto/", "/drivers/", "/fs/",
	"/include/", "/init/", "/io_uring/", "/ipc/", "/kernel/", "/lib/",
	"/mm/", "/net/", "/rust/", "/samples/", "/scripts/", "/security/",
	"/sound/", "/tools/", "/virt/",
};

/* The bytes of a word in which a path's tree part is looked for. */
#define PATH_SCAN	256

/*
 * The bytes at the start of path s (n bytes) that are not the kernel
 * tree's: "./", "../" (a build directory beside the tree), and in an
 * absolute path what comes before the first top directory of a tree
 * ("/tmp/build/linux/" in "/tmp/build/linux/lib/x.c").
 */
static size_t
tree_path(const char *s, size_t n)
{
	const char *best, *p;
	size_t i, k;

	for (k = 0; ; ) {
		if (starts(s + k, n - k, "./"))
			k += 2;
		else if (starts(s + k, n - k, "../"))
			k += 3;
		else
			break;
	}
	if (k > 0 || n == 0 || s[0] != '/')
		return k;
	best = NULL;
	for (i = 0; i < ARRAY_SIZE(kernel_dirs); i++) {
		p = memmem(s, n, kernel_dirs[i], strlen(kernel_dirs[i]));
		if (p != NULL && (best == NULL || p < best))
			best = p;
	}
	return best != NULL ? (size_t)(best + 1 - s) : 0;
}

/*
 * How a word made of [A-Za-z0-9_] is normalised: the bytes of it that
 * are a number, which become "N", or 0 when it is kept.  Numbers are
 * decimal, 0x hex, bare hex of 8 digits or more (an address), and a
 * decimal with a unit of one or two letters ("22s", "2nd").
 */
static size_t
number_len(const char *w, size_t n)
{
	size_t i, d;

	for (i = 0; i < n && is_hex(w[i]); i++)
		;
	if (i == n && n >= 8)
		return n;
	if (n > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
		for (i = 2; i < n && is_hex(w[i]); i++)
			;
		if (i == n)
			return n;
	}
	for (d = 0; d < n && is_digit(w[d]); d++)
		;
	if (d == 0)
		return 0;
	if (d == n)
		return n;
	for (i = d; i < n && w[i] != '_' && !is_digit(w[i]); i++)
		;
	return i == n && n - d <= 2 ? d : 0;
}

/*
 * Append clean text to b normalised: "+0x1a/0x40" dropped after a
 * function, numbers as "N" (number_len()), a path that starts a word as
 * the tree names it (tree_path()), gcc's quotes of a UTF-8 locale as
 * those of the C locale, runs of blanks as one space, and no blank at
 * either end.  Other bytes past 0x7f are copied as they are, so valid
 * UTF-8 stays valid.
 */
static void
norm_add(struct buf *b, const char *s, size_t n)
{
	size_t i, j, k, scanned;
	int blank;

	blank = 0;
	scanned = 0;
	for (i = 0; i < n; ) {
		if (s[i] == ' ' || s[i] == '\t') {
			blank = 1;
			i++;
			continue;
		}
		if (blank && b->len > 0 && b->ptr[b->len - 1] != ' ')
			buf_putc(b, ' ');
		blank = 0;
		j = skip_offset(s, n, i);
		if (j > i) {
			i = j;
			continue;
		}
		/*
		 * A path is looked for once per word, in its first
		 * PATH_SCAN bytes: "(/(/(/..." costs its length, not its
		 * square.
		 */
		if (i >= scanned && (s[i] == '/' || s[i] == '.') &&
		    (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' ||
		    s[i - 1] == '(')) {
			for (j = i; j < n && j - i < PATH_SCAN && s[j] != ' ' &&
			    s[j] != '\t'; j++)
				;
			scanned = j;
			j = tree_path(s + i, j - i);
			if (j > 0) {
				i += j;
				continue;
			}
		}
		if (starts(s + i, n - i, "\xe2\x80\x98") ||
		    starts(s + i, n - i, "\xe2\x80\x99")) {
			buf_putc(b, '\'');
			i += 3;
			continue;
		}
		if (!is_ident((unsigned char)s[i])) {
			buf_putc(b, s[i++]);
			continue;
		}
		for (j = i; j < n && is_ident((unsigned char)s[j]); j++)
			;
		k = number_len(s + i, j - i);
		if (k > 0) {
			buf_putc(b, 'N');
			i += k;
		}
		buf_add(b, s + i, j - i);
		i = j;
	}
}

/* Append s to b without its function offsets and with blanks folded. */
static void
fold_add(struct buf *b, const char *s, size_t n)
{
	size_t i, j;
	int blank;

	blank = 0;
	for (i = 0; i < n; ) {
		if (s[i] == ' ' || s[i] == '\t') {
			blank = 1;
			i++;
			continue;
		}
		if (blank && b->len > 0 && b->ptr[b->len - 1] != ' ')
			buf_putc(b, ' ');
		blank = 0;
		j = skip_offset(s, n, i);
		if (j > i)
			i = j;
		else
			buf_putc(b, s[i++]);
	}
}

/* True when word w (n bytes) is in s as a whole word. */
static int
has_word(const char *s, const char *w, size_t n)
{
	const char *p;

	for (p = s; (p = strstr(p, w)) != NULL; p++)
		if ((p == s || !is_ident((unsigned char)p[-1])) &&
		    !is_ident((unsigned char)p[n]))
			return 1;
	return 0;
}

/*
 * Findings
 */

/* A finding being read: its first line, then the lines that follow. */
struct pending {
	const char	*kind;		/* NULL when none is open */
	size_t		 line;
	struct buf	 lines;
	unsigned	 nlines;
	/* build: made when the finding opens */
	struct buf	 summary;
	struct buf	 signature;
	char		*file;
	int		 file_line;
	/* console: made when it closes */
	struct buf	 head;		/* its first line, clean */
	size_t		 seen;		/* lines since */
	int		 in_trace;
	unsigned	 foreign;	/* lines in a row not the trace's */
	size_t		 mark_len;	/* lines before them */
	unsigned	 mark_nlines;
	int		 skipped;	/* lines before the trace left out */
	unsigned	 looked;	/* frames looked at */
	unsigned	 nframes;
	char		 frames[NFRAMES][FRAME_MAX];
};

static void
pending_open(struct pending *pd, const char *kind, size_t line)
{
	pd->kind = kind;
	pd->line = line;
	buf_reset(&pd->lines);
	pd->nlines = 0;
	buf_reset(&pd->summary);
	buf_reset(&pd->signature);
	free(pd->file);
	pd->file = NULL;
	pd->file_line = 0;
	buf_reset(&pd->head);
	pd->seen = 0;
	pd->in_trace = 0;
	pd->foreign = 0;
	pd->skipped = 0;
	pd->looked = 0;
	pd->nframes = 0;
}

static void
pending_release(struct pending *pd)
{
	buf_release(&pd->lines);
	buf_release(&pd->summary);
	buf_release(&pd->signature);
	buf_release(&pd->head);
	free(pd->file);
	memset(pd, 0, sizeof(*pd));
}

/* Keep a line of the log with the finding, while there is room. */
static void
keep_line(struct pending *pd, const char *s, size_t n)
{
	size_t max;

	if (pd->nlines >= LINES_MAX || pd->lines.len + 2 > LINES_BYTES)
		return;
	if (pd->nlines > 0)
		buf_putc(&pd->lines, '\n');
	max = pd->lines.len + (n < LINE_KEEP ? n : LINE_KEEP);
	text_add(&pd->lines, s, n, max < LINES_BYTES ? max : LINES_BYTES);
	pd->nlines++;
}

/* Warnings give way to the rest when there are too many findings. */
static int
kind_rank(const char *kind)
{
	return strcmp(kind, "warning") != 0;
}

static void
finding_release(struct logsig_finding *f)
{
	free(f->summary);
	free(f->signature);
	free(f->lines);
	free(f->file);
}

/* The finding of ls with this kind and signature, or NULL. */
static struct logsig_finding *
set_find(struct logsig *ls, const char *kind, const char *signature)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (strcmp(ls->v[i].signature, signature) == 0 &&
		    strcmp(ls->v[i].kind, kind) == 0)
			return &ls->v[i];
	return NULL;
}

/*
 * Whether ls can take one more finding of this kind.  Past LOGSIG_MAX,
 * a warning cannot, and any other finding takes the place of the last
 * warning (if there is one), so that the first error of a build or the
 * panic at the end of a console log is not lost behind many warnings.
 */
static int
set_room(struct logsig *ls, const char *kind)
{
	size_t i;

	if (ls->n < LOGSIG_MAX)
		return 1;
	ls->truncated = 1;
	for (i = ls->n; i > 0 && kind_rank(ls->v[i - 1].kind); i--)
		;
	if (!kind_rank(kind) || i == 0)
		return 0;
	finding_release(&ls->v[i - 1]);
	memmove(&ls->v[i - 1], &ls->v[i], (ls->n - i) * sizeof(*ls->v));
	ls->n--;
	return 1;
}

/* Add f to ls, in the order of their lines. */
static void
set_add(struct logsig *ls, struct logsig_finding *f)
{
	size_t i;

	for (i = ls->n; i > 0 && ls->v[i - 1].line > f->line; i--)
		;
	memmove(&ls->v[i + 1], &ls->v[i], (ls->n - i) * sizeof(*ls->v));
	ls->v[i] = *f;
	ls->n++;
}

typedef void summary_fn(struct pending *);

/*
 * Close the open finding: count it with the same one in ls, or add it
 * with its hash (and its summary, when summarise makes it: a log can
 * have millions of findings, so only those kept are made whole).
 */
static void
pending_close(struct pending *pd, struct logsig *ls, summary_fn *summarise)
{
	struct logsig_finding f, *same;
	unsigned char d[HASH_LEN];
	struct buf h = BUF_INIT;
	size_t i;

	cut_utf8(&pd->signature, SIGNATURE_MAX);
	same = set_find(ls, pd->kind, pd->signature.ptr);
	if (same != NULL || !set_room(ls, pd->kind)) {
		if (same != NULL)
			same->count++;
		pd->kind = NULL;
		return;
	}
	if (summarise != NULL)
		summarise(pd);
	cut_utf8(&pd->summary, SUMMARY_MAX);
	memset(&f, 0, sizeof(f));
	buf_puts(&h, pd->kind);
	buf_add(&h, "", 1);
	buf_add(&h, pd->signature.ptr, pd->signature.len);
	hash_bytes(h.ptr, h.len, d);
	buf_release(&h);
	for (i = 0; i < 8; i++)
		snprintf(f.hash + 2 * i, 3, "%02x", d[i]);
	f.kind = pd->kind;
	f.summary = buf_detach(&pd->summary, NULL);
	f.signature = buf_detach(&pd->signature, NULL);
	f.lines = buf_detach(&pd->lines, NULL);
	f.line = pd->line;
	f.file = pd->file;
	pd->file = NULL;
	f.file_line = pd->file_line;
	f.count = 1;
	set_add(ls, &f);
	pd->kind = NULL;
}

static void
set_init(struct logsig *ls)
{
	memset(ls, 0, sizeof(*ls));
	ls->v = xcalloc(LOGSIG_MAX, sizeof(*ls->v));
}

void
logsig_free(struct logsig *ls)
{
	size_t i;

	if (ls == NULL)
		return;
	for (i = 0; i < ls->n; i++)
		finding_release(&ls->v[i]);
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

/*
 * Lines
 */

typedef void line_fn(void *ctx, size_t lineno, const char *s, size_t n);

/*
 * Call fn on each line of the log, at most LINE_KEEP bytes of it.  A
 * carriage return inside a line starts another (with the same number),
 * as serial consoles and LAVA leave them; empty pieces are skipped, but
 * an empty line is still a line.  Returns the number of lines.
 */
static size_t
each_line(const char *log, size_t len, line_fn *fn, void *ctx)
{
	const char *p, *e, *nl, *seg, *end, *cr, *next_cr;
	size_t lineno;
	int any;

	lineno = 0;
	e = log + len;
	/* the next carriage return, looked for past the last one only */
	next_cr = memchr(log, '\r', len);
	if (next_cr == NULL)
		next_cr = e;
	for (p = log; p < e; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL)
			nl = e;
		lineno++;
		any = 0;
		for (seg = p; ; ) {
			cr = next_cr < nl ? next_cr : NULL;
			end = cr != NULL ? cr : nl;
			if (end > seg || (cr == NULL && !any)) {
				fn(ctx, lineno, seg, (size_t)(end - seg) <
				    LINE_KEEP ? (size_t)(end - seg) : LINE_KEEP);
				any = 1;
			}
			if (cr == NULL)
				break;
			for (seg = cr; seg < nl && *seg == '\r'; seg++)
				;
			next_cr = memchr(seg, '\r', (size_t)(e - seg));
			if (next_cr == NULL)
				next_cr = e;
		}
		if (nl == e)
			break;
	}
	return lineno;
}

/*
 * Console
 */

/* The timestamp "[   12.345678]" or caller "[    T1]" at p, if any. */
static const char *
skip_stamp(const char *p, const char *e)
{
	const char *q;
	int digits;

	digits = 0;
	for (q = p + 1; q < e && q - p < 24 && *q == ' '; q++)
		;
	if (q < e && (*q == 'T' || *q == 'C'))
		q++;
	for (; q < e && q - p < 24 && (is_digit(*q) || *q == '.'); q++)
		digits += is_digit(*q);
	return digits > 0 && q < e && *q == ']' ? q + 1 : NULL;
}

/*
 * The message of a console line: past blanks, ANSI escapes, printk
 * levels "<4>", timestamps and caller ids at its start.
 */
static const char *
skip_noise(const char *p, const char *e)
{
	const char *q;

	for (;;) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p < e && *p == 0x1b) {
			p = skip_ansi(p, e);
			continue;
		}
		if (p < e && *p == '<') {
			for (q = p + 1; q < e && q - p < 5 && is_digit(*q); q++)
				;
			if (q > p + 1 && q < e && *q == '>') {
				p = q + 1;
				continue;
			}
		}
		if (p < e && *p == '[') {
			q = skip_stamp(p, e);
			if (q != NULL) {
				p = q;
				continue;
			}
		}
		return p;
	}
}

#define H_FRAMED	0x1	/* only after a "=====" line (lockdep) */
#define H_LATER		0x2	/* belongs to an oops or BUG before its trace */

/*
 * The first lines of console findings, at the start of a message, in
 * the order they are tried.  need is also somewhere in the line.
 */
static const struct headline {
	const char	*prefix;
	const char	*need;
	const char	*kind;
	int		 flags;
} headlines[] = {
	{ "Kernel panic - not syncing", NULL, "panic", 0 },
	{ "BUG: KASAN: ", NULL, "kasan", 0 },
	{ "BUG: unable to handle ", NULL, "oops", 0 },
	{ "BUG: kernel NULL pointer dereference", NULL, "oops", 0 },
	{ "Unable to handle kernel ", NULL, "oops", 0 },
	{ "general protection fault", NULL, "oops", 0 },
	{ "Oops", NULL, "oops", H_LATER },
	{ "Internal error: ", NULL, "oops", H_LATER },
	{ "invalid opcode: ", NULL, "oops", H_LATER },
	{ "kernel BUG at ", NULL, "bug", 0 },
	{ "BUG: ", NULL, "bug", 0 },
	{ "watchdog: BUG: ", NULL, "bug", 0 },
	{ "watchdog: Watchdog detected hard LOCKUP", NULL, "bug", 0 },
	{ "WARNING: CPU: ", NULL, "warning", 0 },
	{ "WARNING: ", ", CPU#", "warning", 0 },
	{ "WARNING: possible circular locking", NULL, "lockdep", 0 },
	{ "WARNING: possible recursive locking", NULL, "lockdep", 0 },
	{ "WARNING: possible irq lock inversion", NULL, "lockdep", 0 },
	{ "WARNING: inconsistent lock state", NULL, "lockdep", 0 },
	{ "WARNING: suspicious RCU usage", NULL, "lockdep", 0 },
	{ "WARNING: bad unlock balance", NULL, "lockdep", 0 },
	{ "WARNING: held lock freed", NULL, "lockdep", 0 },
	{ "WARNING: ", "lock order detected", "lockdep", 0 },
	{ "WARNING: ", NULL, "lockdep", H_FRAMED },
	{ "INFO: trying to register non-static key", NULL, "lockdep", 0 },
	{ "UBSAN: ", NULL, "ubsan", 0 },
	{ "INFO: task ", " blocked for more than ", "hung-task", 0 },
	{ "INFO: rcu_", "stall", "rcu-stall", 0 },
	{ "rcu: INFO: rcu_", "stall", "rcu-stall", 0 },
};

/*
 * Functions of the machinery that reports rather than of the failure:
 * printing a stack, panic() and WARN(), exception entry, the reports of
 * the sanitisers and lockdep, system call and thread entry, the timer
 * interrupt a stall is seen from, sleeping and idling.  A trailing '*'
 * matches a prefix.
 */
static const char *const generic_frames[] = {
	"dump_stack*", "dump_backtrace*", "show_stack*", "show_trace*",
	"show_regs*", "panic", "vpanic", "nmi_panic", "__warn*",
	"warn_slowpath*", "check_panic_on_warn", "report_bug",
	"__report_bug", "handle_bug", "bug_handler", "do_error_trap",
	"do_trap*", "exc_*", "asm_*", "sysvec_*", "__sysvec_*",
	"common_interrupt", "__die*", "die", "die_*", "oops_*",
	"page_fault_oops", "kernelmode_fixup_or_oops", "__bad_area*",
	"bad_area*", "do_user_addr_fault", "do_kern_addr_fault",
	"no_context", "fixup_exception", "__do_kernel_fault",
	"do_page_fault", "do_translation_fault", "do_mem_abort",
	"do_bad_area", "do_debug_exception", "brk_handler",
	"call_break_hook", "bug_brk_handler", "arm64_notify_die",
	"el0*", "el1*", "invoke_syscall", "do_el0_svc*", "el0_svc_common*",
	"handle_exception", "ret_from_exception", "do_syscall_64",
	"do_syscall_x64", "do_int80_syscall_32", "do_fast_syscall_32",
	"__do_fast_syscall_32", "entry_SYSCALL*", "entry_SYSENTER*",
	"entry_INT80*", "ret_from_fork*", "kthread", "worker_thread",
	"process_one_work", "process_scheduled_works", "smpboot_thread_fn",
	"kasan_*", "__kasan_*", "print_report", "print_address_description*",
	"__asan_*", "__ubsan_*", "ubsan_*", "kcsan_*", "kfence_*",
	"lock_acquire*", "__lock_acquire", "lock_release", "lockdep_*",
	"print_circular_bug*", "check_noncircular", "check_prev_add",
	"check_prevs_add", "validate_chain", "print_usage_bug",
	"mark_lock*", "valid_state", "print_deadlock_bug", "check_deadlock",
	"unwind_*", "__unwind_start", "arch_stack_walk", "stack_trace_save*",
	"stack_depot_save*", "_raw_spin_lock*", "_raw_read_lock*",
	"_raw_write_lock*",
	"mutex_lock*", "__mutex_lock*", "down_read*", "down_write*",
	"__might_resched", "__might_sleep", "___might_sleep",
	"__might_fault", "__schedule*", "schedule", "schedule_timeout",
	"schedule_preempt_disabled", "schedule_hrtimeout*", "io_schedule*",
	"wait_for_completion*", "__wait_for_common", "do_wait_for_common",
	"nmi_cpu_backtrace*", "nmi_trigger_cpumask_backtrace",
	"arch_trigger_cpumask_backtrace", "trigger_*", "rcu_dump_cpu_stacks",
	"print_cpu_stall*", "print_other_cpu_stall", "check_cpu_stall",
	"rcu_pending", "rcu_sched_clock_irq", "update_process_times",
	"tick_*", "__hrtimer_run_queues", "hrtimer_interrupt",
	"watchdog_timer_fn", "irq_exit_rcu", "__irq_exit_rcu",
	"__do_softirq", "handle_softirqs", "do_softirq*", "handle_irq_event*",
	"gic_handle_irq", "call_on_irq_stack", "do_interrupt_handler",
	"nmi_handle", "default_do_nmi", "end_repeat_nmi", "default_idle*",
	"do_idle", "cpu_startup_entry", "start_secondary",
	"secondary_startup*", "rest_init", "arch_call_rest_init",
	"start_kernel", "x86_64_start_*", "arch_cpu_idle*", "cpu_idle_poll",
};

_Static_assert(ARRAY_SIZE(generic_frames) < 256, "generic_frames too long");

/*
 * generic_frames by their first byte: a trace can have many frames, and
 * a log many traces.
 */
struct generic_index {
	unsigned short	start[257];
	unsigned char	order[ARRAY_SIZE(generic_frames)];
	unsigned char	len[ARRAY_SIZE(generic_frames)];	/* '*' out */
	unsigned char	prefix[ARRAY_SIZE(generic_frames)];
};

static void
generic_index_init(struct generic_index *gi)
{
	unsigned short next[256];
	unsigned char c;
	size_t i;

	memset(gi, 0, sizeof(*gi));
	for (i = 0; i < ARRAY_SIZE(generic_frames); i++)
		gi->start[(unsigned char)generic_frames[i][0] + 1]++;
	for (i = 0; i < 256; i++) {
		gi->start[i + 1] += gi->start[i];
		next[i] = gi->start[i];
	}
	for (i = 0; i < ARRAY_SIZE(generic_frames); i++) {
		c = (unsigned char)generic_frames[i][0];
		gi->order[next[c]++] = (unsigned char)i;
		gi->len[i] = (unsigned char)strcspn(generic_frames[i], "*");
		gi->prefix[i] = generic_frames[i][gi->len[i]] == '*';
	}
}

static int
generic_frame(const struct generic_index *gi, const char *name, size_t n)
{
	unsigned c, i, g;

	c = (unsigned char)name[0];
	for (i = gi->start[c]; i < gi->start[c + 1]; i++) {
		g = gi->order[i];
		if ((gi->prefix[g] ? n >= gi->len[g] : n == gi->len[g]) &&
		    memcmp(name, generic_frames[g], gi->len[g]) == 0)
			return 1;
	}
	return 0;
}

/* A function of a call trace, or of a "RIP:" / "pc :" line. */
struct frame {
	const char	*name;		/* NULL: an address without one */
	size_t		 len;
	const char	*mod;		/* its module, or NULL */
	size_t		 modlen;
	int		 reliable;	/* not "? func" nor "(unreliable)" */
};

/*
 * Parse a frame: "func+0x1a/0x40 [mod]", after any "[<address>]" (old
 * x86, riscv, powerpc's two) and "? ", or arm's "(func+0x1a/0x40)".
 * The name loses the compiler's ".isra.0", ".cold" and the like.
 */
static int
frame_parse(const char *s, size_t n, struct frame *f)
{
	size_t i, j, h;
	int k, paren;

	memset(f, 0, sizeof(*f));
	f->reliable = 1;
	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	for (k = 0; k < 3 && i < n && s[i] == '['; k++) {
		j = i + 1;
		if (j < n && s[j] == '<')
			j++;
		for (h = j; j < n && is_hex(s[j]); j++)
			;
		if (j < n && s[j] == '>')
			j++;
		if (j == h || j >= n || s[j] != ']')
			return 0;
		for (i = j + 1; i < n && s[i] == ' '; i++)
			;
	}
	if (i + 1 < n && s[i] == '?' && s[i + 1] == ' ') {
		f->reliable = 0;
		i += 2;
	}
	paren = i < n && s[i] == '(';
	i += paren;
	if (i + 2 < n && s[i] == '0' && s[i + 1] == 'x') {
		for (j = i + 2; j < n && is_hex(s[j]); j++)
			;
		return j > i + 2 && (j == n || s[j] == ' ');
	}
	for (j = i; j < n && (is_ident((unsigned char)s[j]) || s[j] == '.' ||
	    s[j] == '$'); j++)
		;
	if (j == i)
		return 0;
	h = skip_offset(s, n, j);
	if (h == j && !(paren && j < n && s[j] == ')'))
		return 0;
	if (s[i] == '.')	/* powerpc's ".func" */
		i++;
	f->name = s + i;
	for (f->len = 0; i + f->len < j && s[i + f->len] != '.'; f->len++)
		;
	for (i = h; i < n && s[i] == ' '; i++)
		;
	if (i < n && s[i] == '[') {
		for (j = i + 1; j < n && (is_ident((unsigned char)s[j]) ||
		    s[j] == '-'); j++)
			;
		if (j < n && s[j] == ']' && j > i + 1) {
			f->mod = s + i;
			f->modlen = j + 1 - i;
		}
	}
	if (contains(s + h, n - h, "(unreliable)"))
		f->reliable = 0;
	return f->len > 0;
}

/* Add the function of f to the signature's, if it tells something. */
static void
add_frame(struct pending *pd, const struct generic_index *gi,
    const struct frame *f)
{
	char name[FRAME_MAX];

	if (f->name == NULL || !f->reliable || pd->nframes >= NFRAMES ||
	    pd->looked >= FRAMES_LOOKED)
		return;
	pd->looked++;
	if (generic_frame(gi, f->name, f->len))
		return;
	if (f->mod != NULL)
		snprintf(name, sizeof(name), "%.*s %.*s", (int)f->len, f->name,
		    (int)f->modlen, f->mod);
	else
		snprintf(name, sizeof(name), "%.*s", (int)f->len, f->name);
	/* the same function as the headline's or the RIP's */
	if (pd->nframes > 0 && strcmp(pd->frames[pd->nframes - 1], name) == 0)
		return;
	memcpy(pd->frames[pd->nframes++], name, sizeof(name));
}

/* Where the faulting instruction is named, before the call trace. */
static const char *const ip_prefixes[] = {
	"RIP: ", "EIP: ", "pc : ", "epc : ", "PC is at ", "NIP ",
};

static void
ip_line(struct pending *pd, const struct generic_index *gi, const char *s,
    size_t n)
{
	struct frame f;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(ip_prefixes); i++)
		if (starts(s, n, ip_prefixes[i]))
			break;
	if (i == ARRAY_SIZE(ip_prefixes))
		return;
	j = strlen(ip_prefixes[i]);
	/* x86's code segment, "0010:" */
	for (i = j; i < n && is_hex(s[i]); i++)
		;
	if (i < n && s[i] == ':' && i > j)
		j = i + 1;
	if (frame_parse(s + j, n - j, &f))
		add_frame(pd, gi, &f);
}

static int
trace_header(const char *s, size_t n)
{
	return starts(s, n, "Call Trace:") || starts(s, n, "Call trace:") ||
	    starts(s, n, "Backtrace:");
}

/* "<TASK>", "</IRQ>" and the like, between the frames of x86 traces. */
static int
trace_marker(const char *s, size_t n)
{
	size_t i;

	if (n < 3 || s[0] != '<')
		return 0;
	i = s[1] == '/' ? 2 : 1;
	if (i < n && s[i] == '#')
		i++;
	for (; i < n && ((s[i] >= 'A' && s[i] <= 'Z') || is_digit(s[i]));
	    i++)
		;
	return i < n && s[i] == '>' && i + 1 == n;
}

/*
 * The registers x86 prints inside a trace (at an interrupt), as "RAX:
 * ...": '?' is a capital or a digit.
 */
static const char *const registers[] = {
	"R??:", "E??:", "?S:", "CR?:", "DR?:", "PKRU:", "Code:",
};

static int
register_line(const char *s, size_t n)
{
	const char *r;
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(registers); i++) {
		r = registers[i];
		for (k = 0; k < n && r[k] != '\0' && (r[k] == '?' ?
		    (s[k] >= 'A' && s[k] <= 'Z') || is_digit(s[k]) :
		    r[k] == s[k]); k++)
			;
		if (r[k] == '\0')
			return 1;
	}
	return 0;
}

/* A "=====" line: lockdep frames its reports with them. */
static int
frame_rule(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i] == '='; i++)
		;
	return i >= 8 && i == n;
}

struct console {
	struct logsig		*ls;
	struct pending		 pd;
	int			 framed;	/* the last line was "=====" */
	unsigned char		 first[256];	/* first bytes of headlines */
	struct generic_index	 gi;
};

static const struct headline *
headline_match(const struct console *c, const char *s, size_t n)
{
	const struct headline *h;
	size_t i;

	if (n == 0 || !c->first[(unsigned char)s[0]])
		return NULL;
	for (i = 0; i < ARRAY_SIZE(headlines); i++) {
		h = &headlines[i];
		if (h->prefix[0] == s[0] && starts(s, n, h->prefix) &&
		    (h->need == NULL || contains(s, n, h->need)) &&
		    (!(h->flags & H_FRAMED) || c->framed))
			return h;
	}
	return NULL;
}

/*
 * Where a headline's stable part ends: what follows names the task, the
 * CPU or the kernel's configuration.  The headline is cut at the marker
 * at, keeping keep.
 */
static const struct {
	const char	*at;
	const char	*keep;
} headline_cuts[] = {
	{ " [#", "" },			/* "Oops: 0000 [#1] PREEMPT SMP" */
	{ "! [", "!" },			/* "stuck for 22s! [swapper/0:1]" */
	{ "scheduling while atomic:", "scheduling while atomic" },
	{ " in process ", "" },		/* "Bad page state in process x" */
	{ " Comm:", "" },
};

/* The parts of "WARNING: ..." in its three forms; 0 if not one. */
static int
warning_parts(const char *s, size_t n, const char **file, size_t *flen,
    const char **func, size_t *fnlen)
{
	const char *at, *p, *e;

	e = s + n;
	*file = NULL;
	*flen = 0;
	at = memmem(s, n, " at ", 4);
	if (at == NULL)
		return 0;
	if (starts(s, n, "WARNING: CPU: ")) {
		/* "WARNING: CPU: 0 PID: 1 at init/main.c:12 func+0x1/0x2" */
		p = at + 4;
		*func = memchr(p, ' ', (size_t)(e - p));
		if (*func != NULL && memchr(p, ':', (size_t)(*func - p))) {
			*file = p;
			*flen = (size_t)(*func - p);
			(*func)++;
		} else
			*func = p;
	} else {
		/* "WARNING: init/main.c:12 at func+0x1/0x2, CPU#0: x/1" */
		if (at > s + 9) {
			*file = s + 9;
			*flen = (size_t)(at - *file);
		}
		*func = at + 4;
	}
	/* the function without ".isra.0" and the like, as frame_parse() */
	for (p = *func; p < e && is_ident((unsigned char)*p); p++)
		;
	*fnlen = (size_t)(p - *func);
	return *fnlen > 0;
}

/* The headline of a finding, normalised, into b. */
static void
console_headline(struct pending *pd, struct buf *b)
{
	const char *s, *file, *func, *cut;
	size_t n, flen, fnlen, i;

	s = pd->head.ptr;
	n = pd->head.len;
	if (strcmp(pd->kind, "warning") == 0 &&
	    warning_parts(s, n, &file, &flen, &func, &fnlen)) {
		buf_puts(b, "WARNING");
		if (file != NULL) {
			/* the file without its line */
			cut = memchr(file, ':', flen);
			buf_puts(b, " at ");
			buf_add(b, file, cut != NULL ? (size_t)(cut - file) :
			    flen);
		}
		buf_puts(b, " in ");
		buf_add(b, func, fnlen);
		return;
	}
	if (strcmp(pd->kind, "hung-task") != 0)
		for (i = 0; i < ARRAY_SIZE(headline_cuts); i++) {
			cut = memmem(s, n, headline_cuts[i].at,
			    strlen(headline_cuts[i].at));
			if (cut != NULL)
				n = (size_t)(cut - s) +
				    strlen(headline_cuts[i].keep);
		}
	norm_add(b, s, utf8_floor(s, n, HEADLINE_MAX));
}

/* The summary: the headline for people, naming the first function. */
static void
console_summary(struct pending *pd)
{
	struct buf *b = &pd->summary;
	const char *file, *func, *fn;
	size_t flen, fnlen, room, k;
	char tail[FRAME_MAX + 8];

	fn = pd->nframes > 0 ? pd->frames[0] : NULL;
	fnlen = fn != NULL ? strcspn(fn, " ") : 0;
	if (strcmp(pd->kind, "warning") == 0 && warning_parts(pd->head.ptr,
	    pd->head.len, &file, &flen, &func, &k)) {
		buf_puts(b, "WARNING");
		if (file != NULL) {
			buf_puts(b, " at ");
			fold_add(b, file, flen);
		}
		buf_puts(b, " in ");
		buf_add(b, func, k);
		return;
	}
	fold_add(b, pd->head.ptr, pd->head.len);
	if (fn == NULL)
		return;
	snprintf(tail, sizeof(tail), " in %.*s", (int)fnlen, fn);
	if (has_word(b->ptr, tail + 4, fnlen))
		return;
	while (b->len > 0 && strchr(" .:!", b->ptr[b->len - 1]) != NULL)
		buf_setlen(b, b->len - 1);
	room = SUMMARY_MAX - strlen(tail);
	if (b->len > room) {
		cut_utf8(b, room - 3);
		buf_puts(b, "...");
	}
	buf_puts(b, tail);
}

static void
console_close(struct console *c)
{
	struct pending *pd;
	unsigned i;

	pd = &c->pd;
	if (pd->kind == NULL)
		return;
	if (pd->foreign > 0) {
		buf_setlen(&pd->lines, pd->mark_len);
		pd->nlines = pd->mark_nlines;
	}
	buf_puts(&pd->signature, pd->kind);
	buf_puts(&pd->signature, ": ");
	console_headline(pd, &pd->signature);
	for (i = 0; i < pd->nframes; i++) {
		buf_puts(&pd->signature, i == 0 ? " | " : ", ");
		buf_puts(&pd->signature, pd->frames[i]);
	}
	pending_close(pd, c->ls, console_summary);
}

static void
console_open(struct console *c, const struct headline *h, size_t lineno,
    const char *raw, size_t rawlen, const char *msg, size_t n)
{
	struct pending *pd;
	const char *file, *func;
	size_t flen, fnlen;
	struct frame f;

	pd = &c->pd;
	pending_open(pd, h->kind, lineno);
	text_add(&pd->head, msg, n, LINE_KEEP);
	keep_line(pd, raw, rawlen);
	/* WARNING names its function first */
	if (strcmp(h->kind, "warning") == 0 && warning_parts(pd->head.ptr,
	    pd->head.len, &file, &flen, &func, &fnlen) &&
	    frame_parse(func, pd->head.len - (size_t)(func - pd->head.ptr),
	    &f))
		add_frame(pd, &c->gi, &f);
}

enum more { MORE, END_AFTER, END_BEFORE };

/* Whether a line that is no headline belongs to the open finding. */
static enum more
console_more(struct console *c, const char *raw, size_t rawlen,
    const char *s, size_t n)
{
	struct pending *pd = &c->pd;
	struct frame f;

	pd->seen++;
	if (starts(s, n, "---[ end ")) {
		pd->foreign = 0;
		keep_line(pd, raw, rawlen);
		return END_AFTER;
	}
	if (!pd->in_trace) {
		if (trace_header(s, n)) {
			pd->in_trace = 1;
			keep_line(pd, raw, rawlen);
			return MORE;
		}
		if (pd->seen > WINDOW)
			return END_BEFORE;
		ip_line(pd, &c->gi, s, n);
		if (pd->nlines < HEAD_LINES)
			keep_line(pd, raw, rawlen);
		else if (!pd->skipped) {
			keep_line(pd, "[...]", 5);
			pd->skipped = 1;
		}
		return MORE;
	}
	/*
	 * Lines of another CPU or of user space can come between frames
	 * (the console is shared): more than FOREIGN_MAX in a row end the
	 * trace, as does x86's "</TASK>", and they are kept only when the
	 * trace goes on after them (console_close()).
	 */
	if (frame_parse(s, n, &f))
		add_frame(pd, &c->gi, &f);
	else if (!trace_marker(s, n) && !register_line(s, n)) {
		if (pd->foreign == 0) {
			pd->mark_len = pd->lines.len;
			pd->mark_nlines = pd->nlines;
		}
		if (++pd->foreign > FOREIGN_MAX)
			return END_BEFORE;
		keep_line(pd, raw, rawlen);
		return MORE;
	}
	pd->foreign = 0;
	keep_line(pd, raw, rawlen);
	return starts(s, n, "</TASK>") ? END_AFTER : MORE;
}

static void
console_line(void *ctx, size_t lineno, const char *raw, size_t rawlen)
{
	struct console *c = ctx;
	const struct headline *h;
	const char *msg;
	size_t n;
	enum more m;

	msg = skip_noise(raw, raw + rawlen);
	n = rawlen - (size_t)(msg - raw);
	h = headline_match(c, msg, n);
	if (c->pd.kind != NULL) {
		if (h != NULL && (h->flags & H_LATER) && !c->pd.in_trace &&
		    (strcmp(c->pd.kind, "oops") == 0 ||
		    strcmp(c->pd.kind, "bug") == 0)) {
			keep_line(&c->pd, raw, rawlen);
			m = MORE;
		} else if (h != NULL)
			m = END_BEFORE;
		else
			m = console_more(c, raw, rawlen, msg, n);
		if (m != MORE)
			console_close(c);
		if (m != END_BEFORE)
			h = NULL;
	}
	if (h != NULL)
		console_open(c, h, lineno, raw, rawlen, msg, n);
	c->framed = frame_rule(msg, n);
}

/*
 * The last lines of a log that stopped: the silence finding, with the
 * last SILENCE_LINES lines that are not empty.  nlines is the log's
 * number of lines, as each_line() counted them.
 */
static void
console_silence(struct logsig *ls, const char *log, size_t len,
    size_t nlines)
{
	struct pending pd;
	const char *start[SILENCE_LINES], *msg, *b, *e, *p, *q;
	size_t size[SILENCE_LINES], lineno, first, n;
	int k, i;

	memset(&pd, 0, sizeof(pd));
	k = 0;
	first = 0;
	lineno = nlines;
	e = log + len;
	if (e > log && e[-1] == '\n')
		e--;
	while (k < SILENCE_LINES && lineno > 0) {
		b = memrchr(log, '\n', (size_t)(e - log));
		b = b != NULL ? b + 1 : log;
		/* the last piece a carriage return left, as each_line() */
		for (p = e; p > b && (p[-1] == '\r' || p[-1] == ' '); p--)
			;
		q = memrchr(b, '\r', (size_t)(p - b));
		q = q != NULL ? q + 1 : b;
		n = (size_t)(p - q) < LINE_KEEP ? (size_t)(p - q) : LINE_KEEP;
		msg = skip_noise(q, q + n);
		if (msg < q + n) {
			start[k] = q;
			size[k++] = n;
			first = lineno;
		}
		lineno--;
		if (b == log)
			break;
		e = b - 1;
	}
	pending_open(&pd, "silence", first);
	for (i = k - 1; i >= 0; i--)
		keep_line(&pd, start[i], size[i]);
	buf_puts(&pd.signature, "silence: ");
	if (k == 0) {
		buf_puts(&pd.summary, "no console output");
		buf_puts(&pd.signature, "no output");
	} else {
		msg = skip_noise(start[0], start[0] + size[0]);
		n = size[0] - (size_t)(msg - start[0]);
		text_add(&pd.head, msg, n, LINE_KEEP);
		buf_puts(&pd.summary, "boot stopped after: ");
		fold_add(&pd.summary, pd.head.ptr, pd.head.len);
		norm_add(&pd.signature, pd.head.ptr, pd.head.len);
	}
	pending_close(&pd, ls, NULL);
	pending_release(&pd);
}

int
logsig_console(const char *log, size_t len, int failed, struct logsig *out)
{
	struct console c;
	size_t i, nlines;

	memset(&c, 0, sizeof(c));
	c.ls = out;
	set_init(out);
	for (i = 0; i < ARRAY_SIZE(headlines); i++)
		c.first[(unsigned char)headlines[i].prefix[0]] = 1;
	generic_index_init(&c.gi);
	nlines = each_line(log, len, console_line, &c);
	console_close(&c);
	pending_release(&c.pd);
	if (failed && out->n == 0)
		console_silence(out, log, len, nlines);
	return 0;
}

/*
 * Build
 */

/*
 * The diagnostics of compilers, assemblers, linkers and modpost.  An
 * anchored one follows a location ("file:line:col", "ld", "foo.o:(.text
 * +0x1d)"); the others start the line.
 */
static const struct diag {
	const char	*at;
	const char	*kind;
	int		 anchored;
} diags[] = {
	{ "ERROR: modpost: ", "error", 0 },
	{ "WARNING: modpost: ", "warning", 0 },
	{ "fatal error: ", "error", 0 },
	{ "error: ", "error", 0 },
	{ "warning: ", "warning", 0 },
	{ ": fatal error: ", "error", 1 },
	{ ": error: ", "error", 1 },
	{ ": Error: ", "error", 1 },
	{ ": warning: ", "warning", 1 },
	{ ": Warning: ", "warning", 1 },
	{ ": undefined reference to ", "error", 1 },
	{ ": multiple definition of ", "error", 1 },
};

/* Append a source path to b as the kernel tree names it. */
static void
path_add(struct buf *b, const char *s, size_t n)
{
	size_t k;

	k = tree_path(s, n);
	fold_add(b, s + k, n - k);
}

/* The line (and column) at the end of a location "file:12:5", if any. */
static size_t
location_file(const char *s, size_t n, int *line)
{
	size_t i, end, colon[2];
	int k;
	long v;

	*line = 0;
	end = n;
	for (k = 0; k < 2; k++) {
		for (i = end; i > 0 && is_digit(s[i - 1]); i--)
			;
		if (i == end || i == 0 || s[i - 1] != ':' || end - i > 9)
			break;
		colon[k] = i - 1;
		end = i - 1;
	}
	if (k == 0)
		return n;
	/* "file:12:5": the line is the first number */
	i = k == 2 ? colon[1] : colon[0];
	for (v = 0, i++; i < n && is_digit(s[i]); i++)
		v = v * 10 + (s[i] - '0');
	*line = (int)v;
	return k == 2 ? colon[1] : colon[0];
}

/* Drop "ld: ", "aarch64-linux-gnu-ld: ", "ld.lld: " before a location. */
static size_t
linker_len(const char *s, size_t n)
{
	const char *c;
	size_t k;

	c = memmem(s, n, ": ", 2);
	if (c == NULL)
		return 0;
	k = (size_t)(c - s);
	if ((k >= 2 && memcmp(c - 2, "ld", 2) == 0) ||
	    (k >= 6 && memcmp(c - 6, "ld.lld", 6) == 0) ||
	    (k >= 6 && memcmp(c - 6, "ld.bfd", 6) == 0))
		return k + 2;
	return 0;
}

static void
build_open(struct pending *pd, const struct diag *d, size_t lineno,
    const char *s, size_t n, size_t at)
{
	const char *msg, *word;
	size_t flen, mlen, wlen, skip;
	int fline;

	pending_open(pd, d->kind, lineno);
	word = d->anchored ? d->at + 2 : d->at;	/* without ": " */
	wlen = strlen(word);
	msg = s + at + strlen(d->at);
	mlen = n - (size_t)(msg - s);
	if (!d->anchored) {
		fold_add(&pd->summary, s, n);
		norm_add(&pd->signature, s, n);
		return;
	}
	flen = location_file(s, at, &fline);
	if (fline > 0) {
		pd->file = xstrndup(s, flen);
		pd->file_line = fline;
		fold_add(&pd->summary, s, flen);
		buf_addf(&pd->summary, ":%d", fline);
		path_add(&pd->signature, s, flen);
	} else {
		fold_add(&pd->summary, s, at);
		skip = linker_len(s, at);
		norm_add(&pd->signature, s + skip, at - skip);
	}
	buf_puts(&pd->summary, ": ");
	buf_puts(&pd->signature, ": ");
	buf_add(&pd->summary, word, wlen);
	buf_add(&pd->signature, word, wlen);
	fold_add(&pd->summary, msg, mlen);
	norm_add(&pd->signature, msg, mlen);
}

/* The diagnostic a clean build line holds, and where (*at). */
static const struct diag *
build_match(const char *s, size_t n, size_t *at)
{
	const struct diag *d;
	const char *c, *e;
	size_t i;

	if (n == 0)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(diags); i++) {
		d = &diags[i];
		if (!d->anchored && d->at[0] == s[0] && starts(s, n, d->at)) {
			*at = 0;
			return d;
		}
	}
	e = s + n;
	for (c = memchr(s, ':', n); c != NULL && c + 2 < e;
	    c = memchr(c + 1, ':', (size_t)(e - c - 1))) {
		if (c[1] != ' ')
			continue;
		for (i = 0; i < ARRAY_SIZE(diags); i++) {
			d = &diags[i];
			if (d->anchored && d->at[2] == c[2] &&
			    starts(c, (size_t)(e - c), d->at)) {
				*at = (size_t)(c - s);
				return d;
			}
		}
	}
	return NULL;
}

/*
 * Words every diagnostic has, coloured or not: a line with escapes is
 * cleaned (which costs) only when it has one.
 */
static const char *const diag_words[] = {
	"rror", "arning", "RROR", "ARNING", "undefined reference",
	"multiple definition",
};

static int
maybe_diag(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(diag_words); i++)
		if (contains(s, n, diag_words[i]))
			return 1;
	return 0;
}

/* The length of "make: " or "make[2]: " at the start of s, or 0. */
static size_t
make_prefix(const char *s, size_t n)
{
	size_t i;

	if (!starts(s, n, "make"))
		return 0;
	i = 4;
	if (i < n && s[i] == '[') {
		for (i++; i < n && is_digit(s[i]); i++)
			;
		if (i >= n || s[i] != ']')
			return 0;
		i++;
	}
	return starts(s + i, n - i, ": ") ? i + 2 : 0;
}

/* Kbuild's "  CC      drivers/foo.o": a new step, not a source line. */
static int
kbuild_step(const char *s, size_t n)
{
	size_t i;

	if (!starts(s, n, "  ") || n < 4 || s[2] < 'A' || s[2] > 'Z')
		return 0;
	for (i = 2; i < n && s[i] >= 'A' && s[i] <= 'Z'; i++)
		;
	return i >= 4 && i < n && s[i] == ' ';
}

/* The lines after a diagnostic that belong to it. */
static int
build_more(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t')
		return !kbuild_step(s, n);
	return starts(s, n, ">>> ") || contains(s, n, ": note: ");
}

struct build {
	struct logsig	*ls;
	const char	*end;		/* of the log */
	const char	*colon;		/* the next ':' in it, or end */
	struct pending	 pd;
	struct buf	 clean;		/* a line without its escapes */
	struct buf	 make;		/* the first make error */
	size_t		 make_line;
};

static void
build_line(void *ctx, size_t lineno, const char *raw, size_t rawlen)
{
	struct build *b = ctx;
	const struct diag *d;
	size_t k, at;

	if (b->pd.kind != NULL) {
		if (build_more(raw, rawlen)) {
			keep_line(&b->pd, raw, rawlen);
			return;
		}
		pending_close(&b->pd, b->ls, NULL);
	}
	/*
	 * Every diagnostic has a colon, and most lines none: the next one
	 * in the log is looked for once, not on every line.
	 */
	if (b->colon == NULL || b->colon < raw) {
		b->colon = memchr(raw, ':', (size_t)(b->end - raw));
		if (b->colon == NULL)
			b->colon = b->end;
	}
	if (b->colon >= raw + rawlen)
		return;
	/*
	 * Most lines with one are no diagnostic either; those that are get
	 * matched again once clean (colours from -fdiagnostics-color too),
	 * to be quoted.
	 */
	if ((memchr(raw, 0x1b, rawlen) != NULL ? !maybe_diag(raw, rawlen) :
	    build_match(raw, rawlen, &at) == NULL) &&
	    (b->make_line > 0 || make_prefix(raw, rawlen) == 0))
		return;
	buf_reset(&b->clean);
	text_add(&b->clean, raw, rawlen, LINE_KEEP);
	k = make_prefix(b->clean.ptr, b->clean.len);
	if (k > 0) {
		/* make's own warnings are not the build's */
		if (b->make_line == 0 && starts(b->clean.ptr + k,
		    b->clean.len - k, "*** ")) {
			buf_add(&b->make, b->clean.ptr, b->clean.len);
			b->make_line = lineno;
		}
		return;
	}
	d = build_match(b->clean.ptr, b->clean.len, &at);
	if (d != NULL) {
		build_open(&b->pd, d, lineno, b->clean.ptr, b->clean.len, at);
		keep_line(&b->pd, raw, rawlen);
	}
}

int
logsig_build(const char *log, size_t len, struct logsig *out)
{
	struct build b;
	size_t i;

	memset(&b, 0, sizeof(b));
	b.ls = out;
	b.end = log + len;
	set_init(out);
	each_line(log, len, build_line, &b);
	if (b.pd.kind != NULL)
		pending_close(&b.pd, out, NULL);
	for (i = 0; i < out->n; i++)
		if (strcmp(out->v[i].kind, "error") == 0)
			break;
	/* make's own error says which target failed, when nothing else did */
	if (i == out->n && b.make_line > 0) {
		pending_open(&b.pd, "error", b.make_line);
		keep_line(&b.pd, b.make.ptr, b.make.len);
		fold_add(&b.pd.summary, b.make.ptr, b.make.len);
		norm_add(&b.pd.signature, b.make.ptr, b.make.len);
		pending_close(&b.pd, out, NULL);
	}
	pending_release(&b.pd);
	buf_release(&b.clean);
	buf_release(&b.make);
	return 0;
}
