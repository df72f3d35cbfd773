/*
 * lava.h: what Maestrino knows of LAVA: its logs and results (from
 * lava-run's output, the REST API or a pull lab's results YAML), what a
 * job's outcome means for boot and test rows, and the QEMU device
 * dictionary of the local lab.
 */
#ifndef LAVA_H
#define LAVA_H

#include <stddef.h>

struct buf;
struct ynode;

struct lava_case {
	char	*suite;		/* "lava", "0_smoke" */
	char	*name;
	char	*result;	/* pass, fail, skip, unknown */
	char	*unit;
	double	 measurement;
	int	 has_measurement;
	char	*error_type;	/* the lava suite's job case only */
	char	*error_msg;
};

/* Bounds on what a lab reports: cases per job, name and message bytes. */
#define LAVA_MAX_CASES	100000
#define LAVA_NAME_MAX	256
#define LAVA_MSG_MAX	4096
/* Log lines longer than this are skipped, not parsed. */
#define LAVA_LINE_MAX	65536

/*
 * Cases past LAVA_MAX_CASES are counted in dropped, measurements that
 * are not finite numbers (inf, nan, 1e999) in bad_numbers; names and
 * messages are valid UTF-8, cut to the bounds above.
 */
struct lava_outcome {
	struct lava_case	*cases;
	size_t			 n;
	size_t			 alloc;
	size_t			 dropped;
	size_t			 bad_numbers;
	char			*health;	/* Complete, Incomplete, Canceled */
	char			*error_type;
	char			*error_msg;
};

void	 lava_outcome_release(struct lava_outcome *);

/*
 * Parse a LAVA job log: one flow mapping {dt, lvl, msg} per line, with or
 * without a leading "- " (lava-run's output and GET /jobs/<id>/logs/ look
 * alike).  Results go to o; the serial console (lvl "target") is
 * appended to console if not NULL, one line each.  Unparsable lines are
 * skipped.  The health comes from the lava suite's job case.
 */
int	 lava_parse_log(const char *text, size_t len, struct lava_outcome *o,
	    struct buf *console);

/*
 * Parse a LAVA results YAML (GET /jobs/<id>/yaml/, or a pull lab's
 * results file): a list of {suite, name, result, measurement, unit,
 * metadata}.  -1 with an error naming what when it is not one.
 */
int	 lava_parse_results(const char *text, size_t len, const char *what,
	    struct lava_outcome *o);

/* The case suite/name, or NULL. */
const struct lava_case	*lava_find(const struct lava_outcome *,
			    const char *suite, const char *name);

/*
 * What the outcome means.  boot is PASS or FAIL when the kernel's boot
 * was judged (the lava suite's login case, with kernel-messages), else
 * NULL.  The return says what becomes of the job:
 */
enum lava_verdict {
	LAVA_DONE,		/* results stand: record them */
	LAVA_BOOT_FAILED,	/* the kernel did not boot: record, no retry */
	LAVA_INCOMPLETE		/* infrastructure or job error: retry */
};
enum lava_verdict	 lava_judge(const struct lava_outcome *,
			    const char **boot);

/*
 * The KCIDB path of a case: "<prefix or suite>.<case>", the suite's
 * "N_" index dropped; a dot in the prefix or the case name starts a
 * level ("timers.nanosleep" under kselftest is kselftest.timers.nanosleep),
 * anything else outside [A-Za-z0-9_-] is replaced by '_', an empty level
 * is '_'.  Caller frees.
 */
char	*lava_test_path(const char *prefix, const char *suite,
	    const char *name);

/* The LAVA architecture name (amd64 for x86_64). */
const char	*lava_arch(const char *arch);

/*
 * The device dictionary lava-run needs for a QEMU device of arch (the
 * kbuild name: x86_64, i386, arm64 on virt with a cortex-a57, riscv on
 * riscv64 virt with OpenSBI), memory_mb of RAM (512 when 0), as
 * lava-server would render it from its qemu.jinja2 (no KVM).  NULL for
 * an arch QEMU is not set up for here.
 */
struct ynode	*lava_qemu_device(const char *arch, int memory_mb);

#endif
