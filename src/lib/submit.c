/*
 * submit.c: the submit stage: jobs left submitting by a killed run are
 * looked up in their lab, jobs whose build or test entry left the config
 * are cancelled, then every runnable job is handed to its lab
 * (runtime.h), which moves it along its states (job.h).
 */
#include "buf.h"
#include "collect.h"
#include "config.h"
#include "job.h"
#include "log.h"
#include "runtime.h"
#include "submit.h"
#include "util.h"

/*
 * A submission that failed: try again after the backoff, or give up and
 * report the job as never run (MISS).
 */
static int
failed(const struct runtime *rt, struct job_row *j, const struct buf *err,
    struct submit_stats *stats)
{
	stats->failed++;
	return job_submit_failed(rt->cfg, rt->db, j, err->len > 0 ?
	    err->ptr : NULL) < 0 ? -1 : 0;
}

static int
submit_one(const struct runtime *rt, struct job_row *j,
    struct submit_stats *stats)
{
	struct runtime_handover h;
	struct buf err = BUF_INIT;
	enum lab_result r;
	char *id;
	int rc;

	memset(&h, 0, sizeof(h));
	id = NULL;
	rc = 0;
	if (rt->ops->prepare != NULL &&
	    rt->ops->prepare(rt, j, &h, &err) != 0) {
		rc = failed(rt, j, &err, stats);
		goto out;
	}
	/* recorded before the lab is asked, so a crash leaves a trace */
	if (job_submitting(rt->db, j, h.work) != 0) {
		rc = -1;
		goto out;
	}
	r = rt->ops->submit(rt, j, &h, &id, &err);
	switch (r) {
	case LAB_DONE:
		if (job_submitted(rt->db, j, id, h.work) != 0)
			rc = -1;
		else
			stats->submitted++;
		break;
	case LAB_WAIT:
		stats->waiting++;
		rc = job_unsubmit(rt->db, j);
		break;
	case LAB_RETRY:
		/*
		 * The request may have reached the lab: stay submitting, so
		 * the next run looks the job up before submitting it again.
		 */
		stats->failed++;
		break;
	case LAB_FAIL:
	case LAB_BAD:
		rc = failed(rt, j, &err, stats);
		break;
	}
out:
	buf_release(&err);
	runtime_handover_release(&h);
	free(id);
	return rc;
}

/*
 * Jobs left submitting by a killed run: adopt the ones their lab has,
 * make the others pending again.  Never submit one twice.
 */
static int
reconcile(const struct config *cfg, struct db *db, struct submit_stats *stats)
{
	struct runtime rt;
	struct job_row *list;
	size_t n, i;
	char *id, *work;
	int rc;

	if (store_job_list(db, 1U << JOB_SUBMITTING, &list, &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		if (job_cancel_asked(&list[i]) ||
		    collect_entry_gone(cfg, &list[i], NULL, 0)) {
			rc = collect_cancel_pending(cfg, db, &list[i]);
			if (rc == 0)
				stats->cancelled++;
			if (rc >= 0)
				rc = 0;
			continue;
		}
		if (runtime_get(cfg, db, list[i].runtime, &rt) != 0)
			continue;
		id = work = NULL;
		switch (rt.ops->lookup(&rt, &list[i], &id, &work)) {
		case LAB_DONE:
			rc = job_submitted(db, &list[i], id, work);
			stats->adopted++;
			break;
		case LAB_WAIT:
			rc = job_unsubmit(db, &list[i]);
			break;
		default:
			/*
			 * Cannot tell now: ask again next run, never
			 * resubmit blindly.
			 */
			stats->failed++;
			break;
		}
		free(id);
		free(work);
	}
	store_job_list_free(list, n);
	return rc;
}

/*
 * Jobs waiting to be submitted whose build or test entry was removed
 * from the config: cancelled, one line each, instead of going round
 * for ever.
 */
static int
cancel_removed(const struct config *cfg, struct db *db,
    struct submit_stats *stats)
{
	struct job_row *list;
	size_t n, i;
	int rc;

	if (store_job_list(db, 1U << JOB_PENDING | 1U << JOB_FAILED_SUBMIT,
	    &list, &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		if (!collect_entry_gone(cfg, &list[i], NULL, 0))
			continue;
		rc = collect_cancel_pending(cfg, db, &list[i]);
		if (rc == 0)
			stats->cancelled++;
		if (rc > 0)
			rc = 0;
	}
	store_job_list_free(list, n);
	return rc;
}

int
submit_stage(const struct config *cfg, struct db *db,
    struct submit_stats *stats)
{
	struct runtime rt;
	struct job_row *list, *j;
	size_t n, i;
	int rc;

	if (reconcile(cfg, db, stats) != 0 ||
	    cancel_removed(cfg, db, stats) != 0)
		return -1;
	if (store_job_list_runnable(db, (long long)time(NULL), &list,
	    &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		j = &list[i];
		if (runtime_get(cfg, db, j->runtime, &rt) != 0) {
			error("job %s: lab '%s' is no longer in the config",
			    j->id, j->runtime);
			stats->failed++;
			continue;
		}
		if (!rt.ops->builds && strcmp(j->kind, "test") != 0) {
			error("job %s: lab '%s' runs test jobs, not builds",
			    j->id, rt.lab->name);
			stats->failed++;
			continue;
		}
		if (rt.ops->local && store_job_busy(db, rt.lab->name) >=
		    rt.lab->jobs) {
			stats->waiting++;
			continue;
		}
		rc = submit_one(&rt, j, stats);
	}
	store_job_list_free(list, n);
	return rc;
}
