/*
 * stage.h: what every stage does before its own work: load the config,
 * check the data directory, take the data-dir lock and open the state
 * database.
 */
#ifndef STAGE_H
#define STAGE_H

struct config;
struct db;

struct stage {
	const char	*name;		/* "poll" */
	struct config	*cfg;
	struct db	*db;
};

/* The default config directory, "configs". */
#define STAGE_DEFAULT_CONFIG	"configs"

/*
 * Prepare stage name with the config directory confdir.  Return 0 when
 * ready, 1 when another run holds the lock (a message was printed and
 * the caller should exit 0 without touching anything), -1 after an error
 * message (exit 2).
 */
int	 stage_open(struct stage *, const char *name, const char *confdir);
/*
 * stage_open() for a command that changes state: EXIT_OK when ready;
 * else the stage is closed and the exit status returned, EXIT_ITEMS when
 * another run holds the lock (saying nothing was done), EXIT_FATAL.
 */
int	 stage_open_command(struct stage *, const char *name,
	    const char *confdir);
/* Load only the config (for read-only commands); -1 on error. */
int	 stage_open_config(struct stage *, const char *name,
	    const char *confdir);
void	 stage_close(struct stage *);
/*
 * Make the data directory if need be and check that it can be written,
 * so a read-only one is one clear error; -1 after the message.
 */
int	 stage_check_writable(const char *dir);

/* What stage_option() made of an option; its main decides what follows. */
enum stage_opt {
	STAGE_OPT_TAKEN = 0,	/* one of the common options: go on */
	STAGE_OPT_HELP,		/* usage printed to stdout: exit 0 */
	STAGE_OPT_USAGE		/* usage printed to stderr: exit 2 */
};

/*
 * Handle an option every executable takes: -c/--config DIR, -q/--quiet,
 * -v/--verbose and -h/--help (prints usage to stdout).  Never exits.
 */
enum stage_opt	 stage_option(int c, const char *arg,
		    const char **confdir, const char *usage);
/* The long options behind stage_option(), for getopt_long tables. */
#define STAGE_LONG_OPTIONS					\
	{ "config", required_argument, NULL, 'c' },		\
	{ "quiet", no_argument, NULL, 'q' },			\
	{ "verbose", no_argument, NULL, 'v' },			\
	{ "help", no_argument, NULL, 'h' }
#define STAGE_SHORT_OPTIONS	"c:qvh"
/* The text that describes the common options in every usage message. */
#define STAGE_USAGE_COMMON						\
	"  -c, --config DIR  config directory (default: configs)\n"	\
	"  -q, --quiet       print only errors and the summary line\n"	\
	"  -v, --verbose     print more detail\n"			\
	"  -h, --help        show this help and exit\n"

/* Print "maestrino-<name>: <summary>" (one line on stderr). */
void	 stage_summary(const struct stage *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
