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
};

int
runtime_get(const struct config *cfg, struct db *db, const char *name,
    struct runtime *out)
{
	const struct lab_cfg *lab;
	size_t i;

	memset(out, 0, sizeof(*out));
	lab = name != NULL ? config_lab(cfg, name) : NULL;
	if (lab == NULL)
		return -1;
	for (i = 0; i < ARRAY_SIZE(runtimes); i++) {
		if (strcmp(runtimes[i]->type, lab->type) == 0) {
			out->ops = runtimes[i];
			out->lab = lab;
			out->cfg = cfg;
			out->db = db;
			return 0;
		}
	}
	return -1;
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

static const struct runtime_ops *
find(const char *type)
{
	size_t i;

	for (i = 0; type != NULL && i < ARRAY_SIZE(runtimes); i++)
		if (strcmp(type, runtimes[i]->type) == 0)
			return runtimes[i];
	return NULL;
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
	return find(type) != NULL ? find(type)->type : runtime_local.type;
}

const char *
runtime_needs(const char *type)
{
	return find(type) != NULL ? find(type)->needs : NULL;
}

int
runtime_is_local(const struct config *cfg, const char *name)
{
	const struct lab_cfg *l;

	l = name != NULL ? config_lab(cfg, name) : NULL;
	return l != NULL && find(l->type) != NULL && find(l->type)->local;
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
