/*
 * template.h: LAVA job definitions from YAML templates.  A job is the
 * header (templates/header.yaml) with the actions of a boot-method
 * fragment (templates/boot/<method>.yaml) and then of a test plan
 * (templates/test/<plan>.yaml).  Templates are parsed with libyaml and
 * "{{ name }}" placeholders are replaced inside scalars only, so no value
 * can change the document's structure:
 *
 *  - a scalar that is one placeholder and nothing else takes the value
 *    as it is: a number stays a number, a mapping (such as the context)
 *    is copied in;
 *  - a placeholder within other text must be a scalar and makes a string;
 *  - a mapping key ending in '?' is kept (without the '?') only when
 *    every placeholder below it has a value;
 *  - any other unknown placeholder is an error naming template:line:col.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

struct templates;
struct ynode;

/*
 * Open the templates of the directories dirs (NULL-terminated, searched
 * in order; files are parsed once and cached).
 */
struct templates	*templates_open(char *const *dirs);
void			 templates_close(struct templates *);

/*
 * Render the job of test plan plan, booted with method, with params (a
 * mapping of placeholder name to value).  NULL after an error message.
 */
struct ynode	*templates_render(struct templates *, const char *plan,
		    const char *method, const struct ynode *params);

#endif
