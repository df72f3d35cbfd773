/*
 * site_feed.c: the Atom feed of a tree (feeds/<tree>.atom): its newest
 * checkouts, each with its regressions, and its bisections that ended.
 */
#include "buf.h"
#include "html.h"
#include "site_change.h"
#include "site_page.h"
#include "store_checkout.h"
#include "util.h"

void
site_feed_entry(struct buf *f, struct site *s, const struct checkout_row *c,
    const struct site_changelist *cl)
{
	struct buf name = BUF_INIT;
	const struct site_change *ch;
	size_t k, regs;
	char *crel;

	regs = 0;
	for (k = 0; k < cl->n; k++)
		if (site_change_is_regression(cl->v[k].kind))
			regs++;
	html_raw(f, "<entry><title>");
	site_xml_text(f, c->branch);
	html_raw(f, " ");
	site_xml_text(f, c->describe);
	buf_addf(f, ": %zu regressions</title><id>urn:maestrino:"
	    "checkout:%lld</id>", regs, c->id);
	crel = xasprintf("c/%lld.html", c->id);
	site_atom_link(f, s, crel);
	free(crel);
	site_atom_time(f, "updated", c->created);
	html_raw(f, "<content type=\"text\">");
	site_xml_text(f, c->subject);
	for (k = 0; k < cl->n; k++) {
		ch = &cl->v[k];
		if (!site_change_is_regression(ch->kind))
			continue;
		html_raw(f, "\n");
		site_xml_text(f, site_change_name(ch->kind));
		html_raw(f, ": ");
		site_xml_text(f, site_res_name(ch->now ? ch->now : ch->before,
		    ch->what, &name));
	}
	html_raw(f, "</content></entry>\n");
	buf_release(&name);
}

static int
cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The slot of checkout id in the kept entries, or NULL. */
static char **
entry_slot(struct site_entries *e, long long id)
{
	long long *at;

	if (e == NULL || e->ids.n == 0)
		return NULL;
	at = bsearch(&id, e->ids.v, e->ids.n, sizeof(*e->ids.v), cmp_id);
	return at != NULL ? &e->entry[at - e->ids.v] : NULL;
}

void
site_feed_keep(struct site *s, const struct checkout_row *c,
    const struct site_changelist *cl)
{
	struct buf f = BUF_INIT;
	char **slot;

	slot = entry_slot(s->entries, c->id);
	if (slot == NULL)
		return;
	site_feed_entry(&f, s, c, cl);
	pthread_mutex_lock(&s->entries->lock);
	free(*slot);
	*slot = buf_detach(&f, NULL);
	pthread_mutex_unlock(&s->entries->lock);
}

/* The entries of a feed, ids.v[i]'s in entry[i]. */
struct feed {
	struct site		*s;
	const struct site_ids	*ids;
	char			**entry;
};

static int
feed_fill(void *arg, const struct checkout_row *c, struct site_changes *x)
{
	struct feed *fd = arg;
	struct buf f = BUF_INIT;
	size_t i;

	for (i = 0; i < fd->ids->n; i++)
		if (fd->ids->v[i] == c->id && fd->entry[i] == NULL) {
			site_feed_entry(&f, fd->s, c, &x->cl);
			fd->entry[i] = buf_detach(&f, NULL);
		}
	return 0;
}

/*
 * The entries of the checkouts that were not rendered in this run: a
 * branch's in the feed are its newest heads, whose changes a chain
 * finds, from FLAKY_RUNS heads before them for their flip rates.
 */
static int
feed_chains(struct feed *fd, const char *tree, char *const *branch)
{
	struct site_ids heads;
	size_t i, j, k, n;
	long long t;
	char *tried;
	int rc;

	rc = 0;
	tried = xcalloc(fd->ids->n + 1, 1);
	for (i = 0; i < fd->ids->n && rc == 0; i++) {
		if (fd->entry[i] != NULL || branch[i] == NULL || tried[i])
			continue;
		/* the first of its branch still to make: every one of it */
		for (j = i, k = 0; j < fd->ids->n; j++)
			if (branch[j] != NULL &&
			    strcmp(branch[j], branch[i]) == 0) {
				tried[j] = 1;
				k++;
			}
		if (store_site_latest(fd->s->db, tree, branch[i],
		    k + FLAKY_RUNS, &heads) != 0) {
			rc = -1;
			break;
		}
		/* oldest first */
		for (j = 0; j < heads.n / 2; j++) {
			t = heads.v[j];
			heads.v[j] = heads.v[heads.n - 1 - j];
			heads.v[heads.n - 1 - j] = t;
		}
		n = heads.n;
		rc = site_changes_chain(fd->s, heads.v, n, n > k ? n - k : 0,
		    feed_fill, fd);
		free(heads.v);
	}
	free(tried);
	return rc;
}

int
site_render_feed(struct site *s, const char *tree)
{
	struct site_changes x;
	struct checkout_row c;
	struct site_ids ids;
	struct feed fd;
	struct buf f = BUF_INIT, e = BUF_INIT;
	long long updated;
	char *self, **slot, **branch;
	size_t i;
	int rc, dated;

	if (store_site_latest(s->db, tree, NULL, FEED_ENTRIES, &ids) != 0)
		return -1;
	self = xasprintf("feeds/%s.atom", tree);
	site_atom_begin(&f, s, tree, self);
	fd.s = s;
	fd.ids = &ids;
	fd.entry = xcalloc(ids.n + 1, sizeof(*fd.entry));
	branch = xcalloc(ids.n + 1, sizeof(*branch));
	rc = dated = 0;
	updated = 0;
	/* the entries that pages of this run made, and the branches */
	for (i = 0; i < ids.n && rc == 0; i++) {
		rc = store_site_checkout(s->db, ids.v[i], &c);
		if (rc != 0) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		if (i == 0) {
			updated = c.created;
			dated = 1;
		}
		slot = entry_slot(s->entries, c.id);
		if (slot != NULL) {
			pthread_mutex_lock(&s->entries->lock);
			if (*slot != NULL)
				fd.entry[i] = xstrdup(*slot);
			pthread_mutex_unlock(&s->entries->lock);
		}
		branch[i] = xstrdup(c.branch);
		store_checkout_release(&c);
	}
	if (rc == 0)
		rc = feed_chains(&fd, tree, branch);
	for (i = 0; i < ids.n && rc == 0; i++) {
		if (fd.entry[i] == NULL) {
			/* not found by a chain: a checkout gone meanwhile */
			rc = store_site_checkout(s->db, ids.v[i], &c);
			if (rc != 0) {
				rc = rc < 0 ? -1 : 0;
				continue;
			}
			rc = site_changes_load(s, &c, &x);
			if (rc == 0)
				site_feed_entry(&e, s, &c, &x.cl);
			site_changes_release(&x);
			store_checkout_release(&c);
		} else
			buf_puts(&e, fd.entry[i]);
	}
	/* and the bisections that ended: a culprit found, or why not */
	if (rc == 0) {
		i = e.len;
		rc = site_bisect_feed(s, tree, &e, &updated);
		dated |= e.len > i;
	}
	if (dated) {
		site_atom_time(&f, "updated", updated);
		html_raw(&f, "\n");
	}
	buf_add(&f, e.ptr, e.len);
	html_raw(&f, "</feed>\n");
	if (rc == 0)
		rc = site_emit(s, self, f.ptr, f.len);
	for (i = 0; i < ids.n; i++) {
		free(fd.entry[i]);
		free(branch[i]);
	}
	free(fd.entry);
	free(branch);
	free(self);
	free(ids.v);
	buf_release(&f);
	buf_release(&e);
	return rc;
}
