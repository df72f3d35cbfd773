/*
 * parse-results: time lava_parse_results() on result sets of 50 cases
 * (in the shape of GET /api/v0.2/jobs/<id>/yaml/), and write one set to a
 * file so an anchor can parse the very same text.
 *
 * usage: parse-results COUNT [SAMPLE.yaml]
 */
#include "buf.h"
#include "lava.h"
#include "log.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct lava_outcome o;
	struct buf b = BUF_INIT;
	long count, i, cases;
	double t0, t;
	int c;

	log_init("parse-results");
	if (argc < 2 || parse_long(argv[1], 1, 100000000, &count) != 0) {
		fprintf(stderr, "usage: parse-results COUNT [SAMPLE.yaml]\n");
		return 2;
	}
	for (c = 0; c < 50; c++) {
		buf_addf(&b, "- id: '%d'\n  job: '1'\n  level: 1.%d\n"
		    "  logged: '2026-11-28 07:51:07.904718+00:00'\n"
		    "  measurement: %s\n  metadata:\n    case: case-%d\n"
		    "    definition: 0_smoke\n    result: %s\n"
		    "  name: case-%d\n  result: %s\n  suite: %s\n  unit: %s\n"
		    "  url: /results/testcase/%d\n", c, c,
		    c % 5 == 0 ? "'2.5'" : "None", c, c % 7 ? "pass" : "fail",
		    c, c % 7 ? "pass" : "fail", c < 3 ? "lava" : "0_smoke",
		    c % 5 == 0 ? "seconds" : "''", c);
	}
	buf_puts(&b, "- {suite: lava, name: job, result: pass, measurement: "
	    "None, unit: '', metadata: {case: job, definition: lava, "
	    "result: pass}}\n");
	if (argc > 2) {
		FILE *fp = fopen(argv[2], "w");

		if (fp == NULL || fwrite(b.ptr, 1, b.len, fp) != b.len ||
		    fclose(fp) != 0) {
			perror(argv[2]);
			return 2;
		}
	}
	cases = 0;
	t0 = now_monotonic();
	for (i = 0; i < count; i++) {
		memset(&o, 0, sizeof(o));
		if (lava_parse_results(b.ptr, b.len, "bench", &o) != 0)
			return 1;
		cases += (long)o.n;
		lava_outcome_release(&o);
	}
	t = now_monotonic() - t0;
	printf("%ld %.3f\n", cases, t);
	buf_release(&b);
	return 0;
}
