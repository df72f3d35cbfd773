/*
 * lava.c: LAVA logs, results and outcomes; the QEMU device dictionary.
 */
#include <math.h>
#include <yaml.h>

#include "buf.h"
#include "lava.h"
#include "log.h"
#include "safe.h"
#include "ynode.h"
#include "util.h"

void
lava_outcome_release(struct lava_outcome *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->cases[i].suite);
		free(o->cases[i].name);
		free(o->cases[i].result);
		free(o->cases[i].unit);
		free(o->cases[i].error_type);
		free(o->cases[i].error_msg);
	}
	free(o->cases);
	free(o->health);
	free(o->error_type);
	free(o->error_msg);
	memset(o, 0, sizeof(*o));
}

static const char *
sval(const struct ynode *map, const char *key)
{
	const char *v;

	v = ynode_str(map, key);
	return v != NULL && *v != '\0' && strcmp(v, "None") != 0 ? v : NULL;
}

/* Text from a lab, bounded and valid UTF-8 (NULL stays NULL). */
static char *
lab_text(const char *s, size_t max)
{
	return s != NULL ? safe_utf8(s, strlen(s), max) : NULL;
}

static void
add_case(struct lava_outcome *o, const char *suite, const char *name,
    const char *result, const char *measurement, const char *unit,
    const char *etype, const char *emsg)
{
	struct lava_case *c;
	char *end;
	double m;

	if (o->n >= LAVA_MAX_CASES) {
		o->dropped++;
		return;
	}
	xgrow((void **)&o->cases, &o->alloc, o->n + 1, sizeof(*o->cases));
	c = &o->cases[o->n++];
	memset(c, 0, sizeof(*c));
	c->suite = lab_text(suite, LAVA_NAME_MAX);
	c->name = lab_text(name, LAVA_NAME_MAX);
	c->result = lab_text(result ? result : "unknown", LAVA_NAME_MAX);
	if (measurement != NULL) {
		errno = 0;
		m = strtod(measurement, &end);
		if (end != measurement && *end == '\0' && isfinite(m)) {
			c->measurement = m;
			c->has_measurement = 1;
		} else if (end != measurement && *end == '\0') {
			/* inf, nan, 1e999: no number KCIDB can take */
			o->bad_numbers++;
		}
	}
	c->unit = lab_text(unit, LAVA_NAME_MAX);
	c->error_type = lab_text(etype, LAVA_NAME_MAX);
	c->error_msg = lab_text(emsg, LAVA_MSG_MAX);
}

/* The lava suite's job case sets the health of the whole job. */
static void
set_health(struct lava_outcome *o)
{
	const struct lava_case *job;

	job = lava_find(o, "lava", "job");
	free(o->health);
	free(o->error_type);
	free(o->error_msg);
	o->error_type = o->error_msg = NULL;
	if (job == NULL) {
		o->health = xstrdup("Incomplete");
		o->error_type = xstrdup("Infrastructure");
		o->error_msg = xstrdup("the job reported no result");
		return;
	}
	if (strcmp(job->result, "pass") == 0) {
		o->health = xstrdup("Complete");
		return;
	}
	o->health = xstrdup(job->error_type && strcmp(job->error_type,
	    "Canceled") == 0 ? "Canceled" : "Incomplete");
	o->error_type = xstrdup(job->error_type ? job->error_type : "Job");
	o->error_msg = xstrdup(job->error_msg ? job->error_msg : "");
}

/* Strip control characters (the console's escape sequences) from s. */
static void
console_line(struct buf *console, const char *s)
{
	for (; *s; s++) {
		if (*s == '\033') {
			/* an escape sequence: skip to its final byte */
			s++;
			if (*s == '[')
				while (s[1] && !(s[1] >= '@' && s[1] <= '~'))
					s++;
			if (*s == '\0')
				break;
			continue;
		}
		if ((unsigned char)*s < 0x20 && *s != '\t')
			continue;
		buf_putc(console, *s);
	}
	buf_putc(console, '\n');
}

int
lava_parse_log(const char *text, size_t len, struct lava_outcome *o,
    struct buf *console)
{
	const char *p, *end, *nl;
	const struct ynode *msg;
	struct ynode *line;
	const char *lvl;
	size_t n;

	p = text;
	end = text + len;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n >= 2 && p[0] == '-' && p[1] == ' ') {
			p += 2;
			n -= 2;
		}
		/* a line is one message: a huge one is no message of LAVA's */
		if (n == 0 || *p != '{' || n > LAVA_LINE_MAX)
			continue;
		log_mute();
		line = NULL;
		if (ynode_parse_string("log", p, n, &line) != 0 ||
		    line->type != YNODE_MAP) {
			ynode_free(line);
			log_unmute();
			continue;
		}
		log_unmute();
		lvl = ynode_str(line, "lvl");
		msg = ynode_get(line, "msg");
		if (lvl != NULL && strcmp(lvl, "target") == 0 &&
		    console != NULL && msg != NULL &&
		    msg->type == YNODE_SCALAR)
			console_line(console, msg->value);
		if (lvl != NULL && strcmp(lvl, "results") == 0 && msg != NULL &&
		    msg->type == YNODE_MAP && sval(msg, "case") != NULL &&
		    sval(msg, "definition") != NULL)
			add_case(o, sval(msg, "definition"), sval(msg, "case"),
			    sval(msg, "result"), sval(msg, "measurement"),
			    sval(msg, "units"), sval(msg, "error_type"),
			    sval(msg, "error_msg"));
		ynode_free(line);
	}
	set_health(o);
	return 0;
}

int
lava_parse_results(const char *text, size_t len, const char *what,
    struct lava_outcome *o)
{
	const struct ynode *c, *meta;
	struct ynode *root;
	size_t i;

	if (ynode_parse_string(what, text, len, &root) != 0)
		return -1;
	if (root->type != YNODE_SEQ) {
		/* an empty document parses as an empty mapping */
		if (!(root->type == YNODE_MAP && root->n == 0)) {
			error("%s: results must be a list, not a %s", what,
			    ynode_kind(root));
			ynode_free(root);
			return -1;
		}
	}
	for (i = 0; i < root->n && root->type == YNODE_SEQ; i++) {
		c = root->items[i];
		if (c->type != YNODE_MAP || sval(c, "name") == NULL ||
		    sval(c, "suite") == NULL)
			continue;
		meta = ynode_get(c, "metadata");
		add_case(o, sval(c, "suite"), sval(c, "name"), sval(c, "result"),
		    sval(c, "measurement"), sval(c, "unit"),
		    sval(meta, "error_type"), sval(meta, "error_msg"));
	}
	ynode_free(root);
	set_health(o);
	return 0;
}

const struct lava_case *
lava_find(const struct lava_outcome *o, const char *suite, const char *name)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->cases[i].suite, suite) == 0 &&
		    strcmp(o->cases[i].name, name) == 0)
			return &o->cases[i];
	return NULL;
}

enum lava_verdict
lava_judge(const struct lava_outcome *o, const char **boot)
{
	const struct lava_case *login, *kmsg;

	login = lava_find(o, "lava", "login-action");
	if (login == NULL)
		login = lava_find(o, "lava", "auto-login-action");
	kmsg = lava_find(o, "lava", "kernel-messages");
	*boot = NULL;
	if (login != NULL) {
		if (strcmp(login->result, "pass") == 0 && (kmsg == NULL ||
		    strcmp(kmsg->result, "pass") == 0))
			*boot = "PASS";
		else
			*boot = "FAIL";
	} else if (kmsg != NULL && strcmp(kmsg->result, "pass") != 0) {
		*boot = "FAIL";
	}
	if (o->health != NULL && strcmp(o->health, "Complete") == 0)
		return LAVA_DONE;
	/* the kernel was given its chance and did not come up */
	if (*boot != NULL && strcmp(*boot, "FAIL") == 0 &&
	    (o->error_type == NULL ||
	    strcmp(o->error_type, "Infrastructure") != 0))
		return LAVA_BOOT_FAILED;
	return LAVA_INCOMPLETE;
}

/* c as a character of a path level: [A-Za-z0-9_-], else '_' */
static void
path_char(struct buf *b, char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-')
		buf_putc(b, c);
	else
		buf_putc(b, '_');
}

static void
path_part(struct buf *b, const char *s)
{
	for (; *s; s++)
		path_char(b, *s);
}

/* Each dot-separated part of s a path level; an empty part is '_'. */
static void
path_levels(struct buf *b, const char *s)
{
	size_t start;

	for (start = b->len;; s++) {
		if (*s != '.' && *s != '\0') {
			path_char(b, *s);
			continue;
		}
		if (b->len == start)
			buf_putc(b, '_');
		if (*s == '\0')
			break;
		buf_putc(b, '.');
		start = b->len;
	}
}

char *
lava_test_path(const char *prefix, const char *suite, const char *name)
{
	struct buf b = BUF_INIT;
	const char *s;

	if (prefix != NULL && *prefix) {
		/* a configured prefix may hold dots: keep them as levels */
		path_levels(&b, prefix);
	} else {
		s = suite;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s != suite && *s == '_' && s[1] != '\0')
			suite = s + 1;
		path_part(&b, suite);
	}
	buf_putc(&b, '.');
	/* "timers.nanosleep": the collection and its test are levels */
	path_levels(&b, name);
	return buf_detach(&b, NULL);
}

const char *
lava_arch(const char *arch)
{
	if (strcmp(arch, "x86_64") == 0)
		return "amd64";
	if (strcmp(arch, "i386") == 0)
		return "i386";
	return arch;
}

static void
seq_add(struct ynode *seq, const char *const *items)
{
	for (; *items; items++)
		ynode_push(seq, ynode_scalar(*items));
}

static struct ynode *
minutes(int m)
{
	struct ynode *t;

	t = ynode_map();
	ynode_set(t, "minutes", ynode_int(m));
	return t;
}

struct ynode *
lava_qemu_device(const char *arch, int memory)
{
	static const char *const archs[] = {
		"amd64", "x86_64", "i386", "arm64", "aarch64", "arm",
		"riscv64", "riscv", NULL
	};
	struct ynode *d, *c, *m, *p, *o, *t, *a;
	const char *cmd, *extra;
	char mem[32];

	if (strcmp(arch, "x86_64") == 0 || strcmp(arch, "i386") == 0) {
		cmd = strcmp(arch, "i386") == 0 ? "qemu-system-i386" :
		    "qemu-system-x86_64";
		extra = NULL;
	} else if (strcmp(arch, "arm64") == 0) {
		cmd = "qemu-system-aarch64";
		extra = "-machine virt -cpu cortex-a57";
	} else if (strcmp(arch, "riscv") == 0) {
		/* OpenSBI, QEMU's default firmware, starts the kernel */
		cmd = "qemu-system-riscv64";
		extra = "-machine virt";
	} else {
		return NULL;
	}
	d = ynode_map();
	c = ynode_set(d, "constants", ynode_map());
	p = ynode_set(c, "posix", ynode_map());
	ynode_set_str(p, "lava_test_sh_cmd", "/bin/sh");
	ynode_set_str(p, "lava_test_results_dir", "/lava-%s");
	ynode_set_str(p, "lava_test_shell_file", "~/.bashrc");
	ynode_set_str(c, "shutdown-message",
	    "The system is going down for reboot NOW");
	ynode_set_str(c, "kernel-start-message", "Linux version [0-9]");
	ynode_set_str(c, "default-shell-prompt", "lava-test: # ");
	ynode_set_str(c, "spawn_maxread", "4092");
	ynode_set(c, "failure_retry", ynode_int(1));
	ynode_set_plain(c, "boot_retry", "~");
	ynode_set(d, "parameters", ynode_map());
	seq_add(ynode_set(d, "available_architectures", ynode_seq()), archs);

	a = ynode_set(d, "actions", ynode_map());
	m = ynode_set(a, "deploy", ynode_map());
	t = ynode_set(m, "connections", ynode_map());
	ynode_set_plain(t, "serial", "~");
	m = ynode_set(m, "methods", ynode_map());
	t = ynode_set(m, "image", ynode_map());
	t = ynode_set(t, "parameters", ynode_map());
	t = ynode_set(t, "guest", ynode_map());
	ynode_set(t, "size", ynode_int(512));
	ynode_set_str(t, "interface", "virtio");
	ynode_set_str(t, "driveid", "lavatest");
	ynode_set_plain(m, "tmpfs", "~");

	m = ynode_set(a, "boot", ynode_map());
	t = ynode_set(m, "connections", ynode_map());
	ynode_set_plain(t, "serial", "~");
	m = ynode_set(m, "methods", ynode_map());
	ynode_set_plain(m, "minimal", "~");
	t = ynode_set(m, "qemu", ynode_map());
	t = ynode_set(t, "parameters", ynode_map());
	ynode_set_str(t, "command", cmd);
	o = ynode_set(t, "options", ynode_seq());
	ynode_push(o, ynode_scalar("-nographic"));
	ynode_push(o, ynode_scalar("-net nic,model=virtio,"
	    "macaddr=52:54:00:12:34:59 -net user,restrict=on"));
	snprintf(mem, sizeof(mem), "-m %d", memory > 0 ? memory : 512);
	ynode_push(o, ynode_scalar(mem));
	ynode_push(o, ynode_scalar("-monitor none"));
	if (extra != NULL)
		ynode_push(o, ynode_scalar(extra));

	t = ynode_set(d, "timeouts", ynode_map());
	m = ynode_set(t, "actions", ynode_map());
	ynode_set(m, "apply-overlay-image", minutes(2));
	ynode_set(m, "lava-test-shell", minutes(3));
	ynode_set(m, "auto-login-action", minutes(2));
	ynode_set(m, "boot-qemu-image", minutes(2));
	m = ynode_set(t, "connections", ynode_map());
	ynode_set(m, "auto-login-action", minutes(2));
	ynode_set(m, "lava-test-shell", minutes(1));
	return d;
}
