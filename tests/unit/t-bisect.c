/*
 * t-bisect.c: the next commit of a bisection, on real repositories made
 * by git: a linear history of 64 commits and one with merges, the
 * culprit first, last, in a merged branch and a merge itself.  Each
 * bisection must find the culprit in no more steps than git bisect run
 * takes on the same range, and never ask for a skipped commit.
 */
#include <git2.h>

#include "tap.h"
#include "bisect_pick.h"
#include "buf.h"
#include "log.h"
#include "repo.h"
#include "util.h"

/*
 * Histories are written by one git fast-import: commit NAME BRANCH
 * [FROM [MERGE]] makes commit and tag NAME, $mk its mark.
 */
#define FAST_IMPORT \
	"set -e; git init -q -b master r; cd r\n" \
	"t=1700000000; mk=0\n" \
	"commit() { mk=$((mk + 1)); t=$((t + 60))\n" \
	"  printf 'commit refs/heads/%s\\nmark :%d\\n' $2 $mk\n" \
	"  printf 'committer C <c@example.org> %d +0000\\n' $t\n" \
	"  printf 'data <<EOT\\n%s\\nEOT\\n' $1\n" \
	"  if [ -n \"${3-}\" ]; then printf 'from :%s\\n' $3; fi\n" \
	"  if [ -n \"${4-}\" ]; then printf 'merge :%s\\n' $4; fi\n" \
	"  printf 'M 644 inline %s\\ndata <<EOT\\n%s\\nEOT\\n' $1 $1\n" \
	"  printf 'reset refs/tags/%s\\nfrom :%d\\n\\n' $1 $mk; }\n"

static const char linear[] = FAST_IMPORT
	"{ p=; for i in $(seq 1 64); do commit c$i master $p; p=$mk; done; }"
	" | git fast-import --quiet\n";

static const char merges[] = FAST_IMPORT
	"{ commit m1 master; m=$mk; commit m2 master $m; m=$mk\n"
	"  commit m3 master $m; m=$mk; a=$m\n"
	"  for i in 1 2 3 4 5 6 7 8; do commit a$i a $a; a=$mk; done\n"
	"  commit m4 master $m; m=$mk; m4=$m; commit m5 master $m; m=$mk\n"
	"  b=$m; for i in 1 2 3 4 5 6; do commit b$i b $b; b=$mk; done\n"
	"  commit m6 master $m; m=$mk; commit m7 master $m; m=$mk\n"
	"  commit M1 master $m $a; m=$mk; commit m8 master $m; m=$mk\n"
	"  commit M2 master $m $b; m=$mk; d=$m4\n"
	"  for i in $(seq 1 12); do commit d$i d $d; d=$mk; done\n"
	"  commit m9 master $m; m=$mk; commit M3 master $m $d; m=$mk\n"
	"  commit m10 master $m; } | git fast-import --quiet\n";

/*
 * A clock that went back: o1 on the good side is dated years before the
 * commits it descends from, so a walk that stops when every commit left
 * is older than the interesting ones misses that c1..c5 are reachable
 * from good (through G and o1).  The candidates are n1..n4, M, n5..n8.
 */
static const char skewed[] = FAST_IMPORT
	"{ p=; for i in 1 2 3 4 5; do commit c$i master $p; p=$mk; done\n"
	"  x=$mk; s=$t; t=1000000000; commit o1 g $x; o=$mk; t=$s\n"
	"  commit G g $o; g=$mk; p=$x\n"
	"  for i in 1 2 3 4; do commit n$i master $p; p=$mk; done\n"
	"  commit M master $p $g; p=$mk\n"
	"  for i in 5 6 7 8; do commit n$i master $p; p=$mk; done; }"
	" | git fast-import --quiet\n";

/*
 * A history of random merges and dates (51 commits, commit i dated
 * 1700000000 plus its second number): there libgit2's hide left commits
 * that good (c4) reaches among the candidates, and the bisection from
 * c4 to c45 of culprit c24 took a step more than git's.
 */
static const char random_dates[] =
	"set -e; git init -q -b master r; cd r\n"
	"k() { n=$1; t=$((1700000000 + $2)); shift 2\n"
	"  printf 'commit refs/heads/b%d\\nmark :%d\\n' $n $n\n"
	"  printf 'committer C <c@example.org> %d +0000\\n' $t\n"
	"  printf 'data <<EOT\\nc%d\\nEOT\\n' $n\n"
	"  if [ $# -gt 0 ]; then printf 'from :%d\\n' $1; shift; fi\n"
	"  for m; do printf 'merge :%d\\n' $m; done\n"
	"  printf 'M 644 inline f%d\\ndata <<EOT\\n%d\\nEOT\\n' $n $n\n"
	"  printf 'reset refs/tags/c%d\\nfrom :%d\\n\\n' $n $n; }\n"
	"{ "
	"k 1 702;k 2 266 1;k 7 930 2;k 8 437 7;k 14 273 8;k 16 818 "
	"14 1;k 17 286 16;k 22 723 17;k 24 229 22;k 4 76 1 2;k 5 972 "
	"1 4;k 6 213 5;k 26 176 24 6;k 32 570 26;k 19 928 17;k 21 "
	"160 19;k 10 211 7;k 27 2 21 10;k 28 688 27;k 30 742 28;k 34 "
	"87 30;k 38 917 32 34;k 44 3 38;k 29 468 28;k 33 95 29 7;k 3 "
	"586 1;k 9 824 3;k 11 96 9 4;k 35 679 34;k 40 111 35;k 43 "
	"663 40;k 46 97 43;k 48 101 43;k 25 53 19;k 31 168 25;k 36 "
	"199 30;k 15 224 14;k 20 280 15;k 41 202 38 16;k 45 318 40 "
	"41;k 12 312 6 5;k 13 638 12;k 18 343 13;k 37 717 32;k 42 "
	"568 37 9;k 23 798 17;k 47 305 43 40;k 51 857 47;k 39 895 "
	"34;k 49 899 43;k 50 993 47;"
	"printf 'reset refs/heads/master\\nfrom :1\\n\\n'; "
	"} | git fast-import --quiet\n";

static git_repository *repo;
static char *dir;

static void
make(const char *script)
{
	char *cmd;

	cmd = xasprintf("cd '%s' && rm -rf r && (%s) >/dev/null 2>&1", dir,
	    script);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot make the repository: %s\n", cmd);
		exit(2);
	}
	free(cmd);
	if (repo != NULL)
		git_repository_free(repo);
	cmd = xasprintf("%s/r", dir);
	if (git_repository_open(&repo, cmd) != 0) {
		fprintf(stderr, "cannot open %s\n", cmd);
		exit(2);
	}
	free(cmd);
}

static void
oid_of(const char *rev, char out[41])
{
	git_object *o;

	if (git_revparse_single(&o, repo, rev) != 0) {
		fprintf(stderr, "no revision %s\n", rev);
		exit(2);
	}
	git_oid_tostr(out, 41, git_object_id(o));
	git_object_free(o);
}

/* A commit is bad when it is the culprit or comes after it. */
static int
is_bad(const char *oid, const char *culprit)
{
	git_oid a, b;

	if (strcmp(oid, culprit) == 0)
		return 1;
	git_oid_fromstr(&a, oid);
	git_oid_fromstr(&b, culprit);
	return git_graph_descendant_of(repo, &a, &b) == 1;
}

/* How many commits git bisect run tests between good and bad. */
static int
git_steps(const char *good, const char *bad, const char *culprit)
{
	struct buf b = BUF_INIT;
	char *cmd, line[512];
	FILE *fp;
	int n;

	cmd = xasprintf("cd '%s/r' && git bisect start --no-checkout %s %s "
	    ">/dev/null && git bisect run sh -c "
	    "'! git merge-base --is-ancestor %s BISECT_HEAD' "
	    "2>&1; git bisect reset >/dev/null 2>&1", dir, bad, good,
	    culprit);
	fp = popen(cmd, "r");
	free(cmd);
	n = 0;
	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "running ", 8) == 0)
			n++;
		buf_puts(&b, line);
	}
	if (fp == NULL || pclose(fp) != 0 || !strstr(b.ptr ? b.ptr : "",
	    culprit)) {
		fprintf(stderr, "git bisect did not find %s:\n%s\n", culprit,
		    b.ptr ? b.ptr : "");
		n = -1;
	}
	buf_release(&b);
	return n;
}

/*
 * Bisect from good to bad with the culprit known; skip names commits
 * whose test cannot tell.  The number of commits tested, the culprit
 * found in found ("" when only skipped ones were left), -1 on error.
 */
static int
ours(const char *good0, const char *bad0, const char *culprit,
    char **skip, size_t nskip, char found[41])
{
	struct buf err = BUF_INIT;
	struct bisect_next nx;
	char *good[80], bad[41];
	size_t ngood, i;
	int steps;

	ngood = 0;
	good[ngood++] = xstrdup(good0);
	snprintf(bad, sizeof(bad), "%s", bad0);
	found[0] = '\0';
	for (steps = 0; steps < 80; steps++) {
		if (bisect_pick(repo, bad, good, ngood, skip, nskip, &nx,
		    &err) != 0) {
			fprintf(stderr, "%s\n", err.ptr);
			steps = -1;
			break;
		}
		if (nx.oid[0] == '\0') {
			if (nx.left == 1)
				snprintf(found, 41, "%s", bad);
			break;
		}
		for (i = 0; i < nskip; i++)
			if (strcmp(skip[i], nx.oid) == 0) {
				fprintf(stderr, "asked for skipped %s\n",
				    nx.oid);
				steps = -1;
				goto out;
			}
		if (is_bad(nx.oid, culprit))
			snprintf(bad, sizeof(bad), "%s", nx.oid);
		else if (ngood < 80)
			good[ngood++] = xstrdup(nx.oid);
	}
out:
	for (i = 0; i < ngood; i++)
		free(good[i]);
	buf_release(&err);
	return steps;
}

static void
bisect_case(const char *name, const char *goodrev, const char *badrev,
    const char *culpritrev)
{
	char good[41], bad[41], culprit[41], found[41], *t;
	int mine, theirs;

	oid_of(goodrev, good);
	oid_of(badrev, bad);
	oid_of(culpritrev, culprit);
	mine = ours(good, bad, culprit, NULL, 0, found);
	theirs = git_steps(good, bad, culprit);
	t = xasprintf("%s: culprit %s found", name, culpritrev);
	is_str(found, culprit, t);
	free(t);
	t = xasprintf("%s: %d steps, git bisect %d", name, mine, theirs);
	ok(mine >= 0 && theirs >= 0 && mine <= theirs, t);
	free(t);
}

int
main(void)
{
	static const char *lin[] = { "c2", "c64", "c33", "c17", "c48" };
	static const char *mer[] = { "m2", "m10", "a5", "M1", "b1", "d7",
	    "M3", "m6" };
	struct buf err = BUF_INIT;
	struct bisect_next nx;
	char good[41], bad[41], culprit[41], found[41], c32[41], *skip[2];
	char *t, *g[1];
	size_t i;

	log_init("t-bisect");
	repo_init();
	dir = tap_tmpdir();

	make(linear);
	for (i = 0; i < ARRAY_SIZE(lin); i++) {
		t = xasprintf("linear, culprit %s", lin[i]);
		bisect_case(t, "c1", "c64", lin[i]);
		free(t);
	}
	oid_of("c1", good);
	oid_of("c64", bad);
	g[0] = good;
	ok(bisect_pick(repo, bad, g, 1, NULL, 0, &nx, &err) == 0 &&
	    nx.left == 63 && nx.weight == 31, "63 candidates, the first "
	    "halves them");
	oid_of("c32", c32);
	is_str(nx.oid, c32, "... and it is c32");

	/* a skipped commit is never asked for, and the culprit still found */
	skip[0] = c32;
	oid_of("c40", culprit);
	is_int(ours(good, bad, culprit, skip, 1, found) > 0, 1,
	    "bisects around a skipped commit");
	is_str(found, culprit, "... and finds c40");
	/* when only skipped commits stand between good and bad, say so */
	oid_of("c33", culprit);
	ours(good, bad, culprit, skip, 1, found);
	is_str(found, "", "c32 skipped, c33 bad: no culprit named");
	oid_of("c31", good);
	oid_of("c33", bad);
	ok(bisect_pick(repo, bad, g, 1, skip, 1, &nx, &err) == 0 &&
	    nx.oid[0] == '\0' && nx.left == 2 && nx.skipped == 1,
	    "... the pick says 2 left, 1 skipped");
	ok(bisect_pick(repo, good, (char *[]){ bad }, 1, NULL, 0, &nx,
	    &err) != 0, "bad before good is an error");
	contains(err.ptr, "nothing to bisect", "... saying so");

	make(merges);
	for (i = 0; i < ARRAY_SIZE(mer); i++) {
		t = xasprintf("merges, culprit %s", mer[i]);
		bisect_case(t, "m1", "m10", mer[i]);
		free(t);
	}

	make(skewed);
	oid_of("G", good);
	oid_of("n8", bad);
	g[0] = good;
	ok(bisect_pick(repo, bad, g, 1, NULL, 0, &nx, &err) == 0 &&
	    nx.left == 9, "a clock that went back: 9 candidates, none "
	    "reachable from good");
	bisect_case("skewed, culprit n1", "G", "n8", "n1");
	bisect_case("skewed, culprit M", "G", "n8", "M");
	bisect_case("skewed, culprit n6", "G", "n8", "n6");

	make(random_dates);
	bisect_case("random dates", "c4", "c45", "c24");
	git_repository_free(repo);
	buf_release(&err);
	return tap_done();
}
