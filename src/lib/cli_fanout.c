/*
 * cli_fanout.c: `maestrino export` and `maestrino import`, the two ends
 * of builds run by an outside executor through a pull lab: the pending
 * build jobs written out (and printed as a GitHub Actions matrix), the
 * result directories the executor made taken back in.  The results are
 * untrusted; pull_build.c reads them.
 */
#include <getopt.h>
#include <jansson.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "lavalab.h"
#include "log.h"
#include "pull_build.h"
#include "runtime.h"
#include "stage.h"
#include "store_job.h"
#include "ynode.h"
#include "util.h"

/* GitHub runs at most 256 jobs of one matrix. */
#define MATRIX_MAX	256

static const char export_usage[] =
	"usage: maestrino export [options] LAB [--max N]\n"
	"\n"
	"Write every build job handed to the pull lab LAB and not yet\n"
	"collected into its directory (again, if it is gone): the definition\n"
	"<job>.yaml, its tarball in tarballs/ when only this machine has it,\n"
	"its entry in index.json.  Print them on stdout as a GitHub Actions\n"
	"matrix, one line: {\"include\": [{\"job\", \"definition\", \"tarball\",\n"
	"\"build\", \"arch\", \"compiler\", \"cross_compile\"}, ...]}.  Each is\n"
	"run with `maestrino-worker [--tarball LAB/TARBALL] --store OUT/JOB\n"
	"LAB/DEFINITION WORK`; `maestrino import` takes OUT/JOB back.\n"
	"\n"
	"  --max N           at most N jobs (default 256, GitHub's limit of\n"
	"                    one matrix); the others wait for the next export\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 done, 1 some job could not be written, 2 usage,\n"
	"config or database error.\n";

static const char import_usage[] =
	"usage: maestrino import [options] LAB DIR...\n"
	"\n"
	"Take back the result directories of builds that an outside executor\n"
	"ran for the pull lab LAB (what `maestrino-worker --store DIR` made:\n"
	"result.json, build.log, the artifacts).  DIR's name is the job's id.\n"
	"Each is checked whole and copied into LAB's results/<job>/, where\n"
	"the next collect records it.  Refused, with the reason: a name that\n"
	"is not a job of LAB waiting for its result (unknown, a test, done\n"
	"already: a replayed result), a file that is a link, not a regular\n"
	"file, larger than its bound or not one a build leaves.\n"
	"\n"
	STAGE_USAGE_COMMON
	"\n"
	"Exit status: 0 all taken, 1 some refused (the others are taken),\n"
	"2 usage, config or database error.\n";

/* Parse the options and open LAB, a pull lab; EXIT_OK or the status. */
static int
open_lab(int argc, char **argv, const char *confdir, const char *name,
    const char *usage, long *max, struct stage *st,
    const struct lab_cfg **lab)
{
	static const struct option opts[] = {
		{ "max", required_argument, NULL, 'm' },
		STAGE_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, STAGE_SHORT_OPTIONS, opts,
	    NULL)) != -1) {
		if (c == 'm' && max != NULL) {
			if (parse_long(optarg, 1, 100000, max) != 0) {
				error("%s: --max '%s': not a number from 1 to "
				    "100000", name, optarg);
				return EXIT_FATAL;
			}
			continue;
		}
		rc = c == 'm' ? STAGE_OPT_USAGE : stage_option(c, optarg,
		    &confdir, usage);
		if (c == 'm')
			fputs(usage, stderr);
		if (rc != STAGE_OPT_TAKEN)
			return rc == STAGE_OPT_HELP ? -1 : EXIT_FATAL;
	}
	if (max != NULL ? argc - optind != 1 : argc - optind < 2) {
		error("%s: name a lab%s (see maestrino %s -h)", name,
		    max != NULL ? "" : " and result directories", name);
		return EXIT_FATAL;
	}
	rc = stage_open_command(st, name, confdir);
	if (rc != EXIT_OK)
		return rc;
	*lab = config_lab(st->cfg, argv[optind]);
	if (*lab == NULL || strcmp(runtime_type((*lab)->type), "pull") != 0) {
		error("%s: '%s' is not a pull lab of the config", name,
		    argv[optind]);
		stage_close(st);
		return EXIT_FATAL;
	}
	return EXIT_OK;
}

int
cli_export(int argc, char **argv, const char *confdir)
{
	const struct lab_cfg *lab;
	struct job_row *list;
	struct stage st;
	json_t *inc, *e;
	char *text;
	size_t n, i, left, failed;
	long max;
	int rc;

	max = MATRIX_MAX;
	rc = open_lab(argc, argv, confdir, "export", export_usage, &max, &st,
	    &lab);
	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if (store_job_list(st.db, 1U << JOB_SUBMITTED | 1U << JOB_RUNNING,
	    &list, &n) != 0) {
		stage_close(&st);
		return EXIT_FATAL;
	}
	inc = json_array();
	left = failed = 0;
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].runtime, lab->name) != 0 ||
		    strcmp(list[i].kind, "kbuild") != 0)
			continue;
		if (json_array_size(inc) >= (size_t)max) {
			left++;
			continue;
		}
		e = NULL;
		if (pull_export(lab, st.db, st.cfg->storage_path,
		    list[i].definition, list[i].id) == 0)
			e = pull_matrix_entry(list[i].definition, list[i].id);
		if (e == NULL) {
			failed++;
			continue;
		}
		json_array_append_new(inc, e);
	}
	store_job_list_free(list, n);
	e = json_pack("{s:o}", "include", inc);
	text = json_dumps(e, JSON_COMPACT);
	if (text != NULL)
		printf("%s\n", text);
	free(text);
	if (left > 0)
		warning("lab %s: %zu more build job%s than --max %ld; they "
		    "wait for the next export", lab->name, left, left == 1 ?
		    "" : "s", max);
	stage_summary(&st, "lab %s: %zu build jobs exported, %zu failed",
	    lab->name, json_array_size(inc), failed);
	json_decref(e);
	stage_close(&st);
	return failed > 0 ? EXIT_ITEMS : EXIT_OK;
}

/*
 * Take one result directory dir into the lab's results/, or refuse it
 * with a message naming it.  0, 1 refused, -1 on a database error.
 */
static int
import_one(struct stage *st, const struct lab_cfg *lab, const char *arg)
{
	struct job_row j;
	struct ynode *def;
	struct stat sb;
	char *dir, *name, *parent, *results, *dst, *tmp;
	const char *arch;
	int rc, r;

	dir = xstrdup(arg);
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	name = strrchr(dir, '/');
	parent = name ? xstrndup(dir, (size_t)(name - dir) + (name == dir)) :
	    xstrdup(".");
	name = name ? name + 1 : dir;
	results = fs_join(lab->path, "results");
	dst = fs_join(results, name);
	tmp = xasprintf("%s/.import-%s", results, name);
	def = NULL;
	rc = 1;
	if (!pull_name_ok(name)) {
		error("'%s': its name is not a job id; refused", arg);
		goto out;
	}
	r = store_job_get(st->db, name, &j);
	if (r < 0) {
		rc = -1;
		goto out;
	}
	if (r > 0) {
		error("'%s': no job '%s' in the database; refused", arg, name);
		goto out;
	}
	if (strcmp(j.runtime, lab->name) != 0 ||
	    strcmp(j.kind, "kbuild") != 0)
		error("'%s': job '%s' is not a build of lab %s (a %s job of "
		    "lab %s); refused", arg, name, lab->name, j.kind,
		    j.runtime);
	else if (j.state == JOB_DONE)
		error("'%s': job '%s' is done already (%s); a replayed result "
		    "is refused", arg, name, j.result ? j.result : "?");
	else if (j.state != JOB_SUBMITTED && j.state != JOB_RUNNING)
		error("'%s': job '%s' is %s, not waiting for a result; "
		    "refused", arg, name, job_state_name(j.state));
	else if (lstat(dst, &sb) == 0)
		error("'%s': a result of job '%s' waits in '%s' already, for "
		    "collect; refused", arg, name, dst);
	else
		rc = 0;
	if (rc == 0) {
		log_mute();
		ynode_parse_file(j.definition, &def);
		log_unmute();
		arch = ynode_str(ynode_get(def, "build"), "arch");
		rc = fs_mkdir_p(results) == 0 && pull_build_take(parent, name,
		    arch, tmp) == 0 ? 0 : 1;
		if (rc == 0 && rename(tmp, dst) != 0) {
			error("cannot rename '%s' to '%s': %s", tmp, dst,
			    strerror(errno));
			rc = 1;
		}
		if (rc != 0)
			fs_remove_tree(tmp);
		else
			info("job %s: took '%s' into '%s'; collect records it",
			    name, arg, dst);
	}
	store_job_release(&j);
out:
	ynode_free(def);
	free(dir);
	free(parent);
	free(results);
	free(dst);
	free(tmp);
	return rc;
}

int
cli_import(int argc, char **argv, const char *confdir)
{
	const struct lab_cfg *lab;
	struct stage st;
	size_t took, refused;
	int i, rc, r;

	rc = open_lab(argc, argv, confdir, "import", import_usage, NULL, &st,
	    &lab);
	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	took = refused = 0;
	rc = EXIT_OK;
	for (i = optind + 1; i < argc; i++) {
		r = import_one(&st, lab, argv[i]);
		if (r < 0) {
			rc = EXIT_FATAL;
			break;
		}
		if (r > 0)
			refused++;
		else
			took++;
	}
	stage_summary(&st, "lab %s: %zu results taken, %zu refused",
	    lab->name, took, refused);
	stage_close(&st);
	if (rc == EXIT_OK && refused > 0)
		rc = EXIT_ITEMS;
	return rc;
}
