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

int
site_render_feed(struct site *s, const char *tree)
{
	struct site_changes x;
	struct checkout_row c;
	struct site_ids ids;
	struct buf f = BUF_INIT, e = BUF_INIT;
	long long updated;
	char *self, **slot, *kept;
	size_t i;
	int rc, dated;

	if (store_site_latest(s->db, tree, NULL, FEED_ENTRIES, &ids) != 0)
		return -1;
	self = xasprintf("feeds/%s.atom", tree);
	site_atom_begin(&f, s, tree, self);
	rc = dated = 0;
	updated = 0;
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
		/* its page made its entry, if it was rendered */
		slot = entry_slot(s->entries, c.id);
		kept = NULL;
		if (slot != NULL) {
			pthread_mutex_lock(&s->entries->lock);
			kept = *slot;
			pthread_mutex_unlock(&s->entries->lock);
		}
		if (kept != NULL) {
			buf_puts(&e, kept);
		} else {
			rc = site_changes_load(s, &c, &x);
			if (rc == 0)
				site_feed_entry(&e, s, &c, &x.cl);
			site_changes_release(&x);
		}
		store_checkout_release(&c);
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
	free(self);
	free(ids.v);
	buf_release(&f);
	buf_release(&e);
	return rc;
}
