/*
 * lavalab.h: labs that are not this machine: a LAVA server over its REST
 * API (v0.2) with libcurl (runtime_lava.c), and a pull lab, a directory
 * from which a lab fetches its own work and into which it drops results
 * (runtime_pull.c).
 */
#ifndef LAVALAB_H
#define LAVALAB_H

#include <stddef.h>

#include "runtime.h"

struct buf;
struct db;
struct json_t;
struct lab_cfg;
struct lava_outcome;

/* LAVA logs can be long; results far less so. */
#define LAB_LOG_MAX	((size_t)64 << 20)
#define LAB_RESULTS_MAX	((size_t)16 << 20)

/*
 * Read a LAVA job definition of ours: its text, device_type and job_name
 * (the caller frees them).  -1 with the reason in err (if not NULL).
 */
int	 lab_read_definition(const char *path, char **text,
	    char **device_type, char **job_name, struct buf *err);

/*
 * Submit a test job to a LAVA lab.  On LAB_DONE *lab_id is the LAVA job
 * id (caller frees); on LAB_FAIL the reason is in err.  Respects
 * max_queue per device type.
 */
enum lab_result	 lava_submit(const struct lab_cfg *, const char *definition,
		    const char *job_id, char **lab_id, struct buf *err);
/*
 * Find a job already submitted under job_id's name (after a crash between
 * the POST and recording its id): LAB_DONE with *lab_id set, LAB_WAIT
 * (meaning: not there) or LAB_RETRY.
 */
enum lab_result	 lava_lookup(const struct lab_cfg *, const char *definition,
		    char **lab_id);

/*
 * Look at a submitted LAVA job.  LAB_WAIT while it runs (*running set
 * when it started), LAB_DONE when finished, with o and fin filled in;
 * LAB_BAD for a reply that cannot be read, with fin->finished set when
 * the job is known to have finished.
 */
enum lab_result	 lava_poll(const struct lab_cfg *, const char *lab_id,
		    int *running, struct lava_outcome *o,
		    struct lab_finished *fin);

/*
 * Write the job into a pull lab's directory and index.json (a build's
 * tarball into tarballs/ too, from this machine's storage).  Results an
 * earlier attempt left are moved aside first.  An index.json that cannot
 * be read is set aside and made again from the jobs db has for this lab.
 * On LAB_FAIL the reason is in err.
 */
enum lab_result	 pull_submit(const struct lab_cfg *, struct db *db,
		    const char *storage, const char *definition,
		    const char *job_id, long long attempt, struct buf *err);
/*
 * Write a job the lab has already (submitted or running) into its
 * directory again, as pull_submit() does, leaving its results be: for
 * `maestrino export`, on a machine whose copy of the directory did not
 * outlive the run that submitted it.  -1 after a message.
 */
int		 pull_export(const struct lab_cfg *, struct db *db,
		    const char *storage, const char *definition,
		    const char *job_id);
/*
 * What an outside executor needs to run the build job_id of a pull lab,
 * as an entry of a GitHub Actions matrix: {"job", "definition" (in the
 * lab's directory), "tarball" (there, or "" when the definition's URL
 * serves it), "build", "arch", "compiler", "cross_compile"}.  NULL when
 * definition is not a build's.
 */
struct json_t	*pull_matrix_entry(const char *definition, const char *job_id);
/*
 * Look for a pull lab's results of job_id: LAB_WAIT while there are
 * none, LAB_DONE (o and fin filled in), LAB_FAIL for a results file that
 * cannot be read, is not a regular file or is too large (set aside as
 * <file>.bad), LAB_RETRY when the directory cannot be read now.
 */
enum lab_result	 pull_poll(const struct lab_cfg *, const char *job_id,
		    struct lava_outcome *o, struct lab_finished *fin);
/*
 * A collected job: move its results into results/collected/ (tagged
 * with the attempt) and take it out of the index.
 */
void		 pull_done(const struct lab_cfg *, struct db *db,
		    const char *job_id, long long attempt);
/*
 * Parse a pull lab's index.json: an object whose "jobs" is a list of
 * objects with a string "id".  *out is the caller's to json_decref().
 */
int		 pull_index_parse(const char *text, size_t len,
		    const char *what, struct json_t **out);

#endif
