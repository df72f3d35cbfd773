/*
 * The table of commands for people and scripts.
 */
#include <string.h>

#include "cli.h"

const struct cli_cmd cli_cmds[] = {
	{ "checkout", "TREE REF [--patch FILE]... [--build NAME]... "
	    "[--test NAME]... [--json]",
	    "test a commit, branch or tag of TREE, with patches on top",
	    "--patch=@ --build= --test= --json", "tree", cli_checkout },
	{ "results", "[CHECKOUT | --tree TREE [--branch BRANCH]] "
	    "[--status S] [--arch A] [--platform P] [--path TEXT] [--json]",
	    "summarise a checkout's builds, boots and tests",
	    "--tree= --branch= --status= --arch= --platform= --path= --json",
	    "checkout", cli_results },
	{ "compare", "A B [--json]",
	    "what changed from checkout A to checkout B",
	    "--json", "checkout", cli_compare },
	{ "retry", "JOB... | --checkout N --failed [--json]",
	    "run jobs again, on the same build or tarball",
	    "--checkout= --failed --json", "job", cli_retry },
	{ "cancel", "JOB... | --checkout N [--json]",
	    "stop jobs and take them out of their labs",
	    "--checkout= --json", "job", cli_cancel },
	{ "show", "build|test|job ID [--json]",
	    "show one build, test or job",
	    "--json", "object", cli_show },
	{ "log", "JOB",
	    "print a job's log (build, LAVA or console)",
	    "", "job", cli_log },
	{ "watch", "CHECKOUT [--interval SECONDS]",
	    "run the stages until every job of CHECKOUT has finished",
	    "--interval=", "checkout", cli_watch },
	{ "bisect", "[ID | --tree TREE] [--json] | start TREE GOOD BAD "
	    "--build NAME [--test NAME --platform NAME] | run",
	    "list the bisections, show one, start one by hand",
	    "--tree= --json", "", cli_bisect },
	{ "issues", "[ID] [--all] [--json]",
	    "list the known issues and failure signatures, show one",
	    "--all --json", "", cli_issues },
	{ "export", "LAB [--max N]",
	    "write out a pull lab's build jobs, print them as a matrix",
	    "--max=", "", cli_export },
	{ "import", "LAB DIR...",
	    "take back build results an outside executor made",
	    "", "", cli_import },
	{ "completion", "bash",
	    "print the bash completion script",
	    "", "shell", cli_completion },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

const struct cli_cmd *
cli_find(const char *name)
{
	const struct cli_cmd *c;

	for (c = cli_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
