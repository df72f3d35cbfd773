/*
 * runtime.c: the table of runtimes, the one place a lab's type is looked
 * at.
 */
#include <stdarg.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "runtime.h"
#include "store_job.h"
#include "safe.h"
#include "secret.h"
#include "util.h"

static const struct runtime_ops *const runtimes[] = {
	&runtime_local,
	&runtime_lava,
	&runtime_pull,
	&runtime_slurm,
};

static const struct runtime_ops *
find(const char *type)
{
	size_t i;

	for (i = 0; type != NULL && i < ARRAY_SIZE(runtimes); i++)
		if (strcmp(type, runtimes[i]->type) == 0)
			return runtimes[i];
	return NULL;
}

int
runtime_get(const struct config *cfg, struct db *db, const char *name,
    struct runtime *out)
{
	const struct lab_cfg *lab;

	memset(out, 0, sizeof(*out));
	lab = name != NULL ? config_lab(cfg, name) : NULL;
	out->ops = lab != NULL ? find(lab->type) : NULL;
	if (out->ops == NULL)
		return -1;
	out->lab = lab;
	out->cfg = cfg;
	out->db = db;
	return 0;
}

void
runtime_handover_release(struct runtime_handover *h)
{
	size_t i;

	for (i = 0; i < h->nargs; i++)
		free(h->args[i]);
	free(h->work);
	memset(h, 0, sizeof(*h));
}

const char *const *
runtime_types(void)
{
	static const char *names[ARRAY_SIZE(runtimes) + 1];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(runtimes); i++)
		names[i] = runtimes[i]->type;
	return names;
}

const char *
runtime_type(const char *type)
{
	const struct runtime_ops *ops = find(type);

	return ops != NULL ? ops->type : runtime_local.type;
}

const char *
runtime_needs(const char *type)
{
	const struct runtime_ops *ops = find(type);

	return ops != NULL ? ops->needs : NULL;
}

int
runtime_is_local(const struct config *cfg, const char *name)
{
	const struct runtime_ops *ops;
	const struct lab_cfg *l;

	l = name != NULL ? config_lab(cfg, name) : NULL;
	ops = l != NULL ? find(l->type) : NULL;
	return ops != NULL && ops->local;
}

void
runtime_lookup_said(const struct runtime *rt, const struct job_row *j,
    enum lab_result r, const char *lab_id)
{
	if (r == LAB_DONE)
		warning("job %s: found it on lab %s as %s; adopting it", j->id,
		    rt->lab->name, lab_id);
	else if (r == LAB_WAIT)
		warning("job %s: lab %s does not have it; submitting it again",
		    j->id, rt->lab->name);
}

void
lab_finished_release(struct lab_finished *f)
{
	free(f->log);
	free(f->console);
	free(f->url);
	memset(f, 0, sizeof(*f));
}
