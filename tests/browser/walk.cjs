// walk.cjs SITE SHOT: drive Debian's Chromium (headless, through
// playwright-core) over a rendered site from file://, printing TAP.
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

const site = path.resolve(process.argv[2]);
const shot = process.argv[3];
let n = 0, failed = 0;
function ok(cond, name, info) {
	n++;
	console.log(`${cond ? "" : "not "}ok ${n} - ${name}`);
	if (!cond) {
		failed++;
		if (info !== undefined)
			console.log("#   " + String(info).replace(/\n/g, "\n#   "));
	}
}

(async () => {
	const browser = await chromium.launch({
		executablePath: "/usr/bin/chromium",
		args: ["--no-sandbox", "--disable-gpu", "--disable-quic",
		    "--no-first-run", "--disable-background-networking",
		    "--disable-component-update", "--disable-sync"],
	});
	const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
	const errors = [];
	let dialogs = 0;
	page.on("pageerror", (e) => errors.push(e.message));
	page.on("dialog", (d) => { dialogs++; d.dismiss(); });

	// every link of the page to a file of the site is there
	async function linksResolve(what) {
		const hrefs = await page.evaluate(() =>
		    [...document.querySelectorAll("a[href]")].map((a) => a.href));
		const missing = hrefs.filter((h) => h.startsWith("file://")).map((h) =>
		    decodeURIComponent(new URL(h).pathname)).filter((f) => !fs.existsSync(f));
		ok(missing.length === 0, `every link of ${what} resolves`, missing.join("\n"));
	}

	await page.goto("file://" + site + "/index.html");
	ok((await page.title()).includes("Trees"), "index.html loads from file://");
	ok(await page.evaluate(() => window.__xss === undefined),
	    "the hostile subject on the index ran no script");
	ok(await page.locator("td.age time").first().evaluate((t) => /ago\)$/.test(t.textContent)),
	    "the script adds relative ages");

	await page.click("text=demo/master");
	ok(page.url().endsWith("/t/demo/master.html"), "to the branch page", page.url());
	ok(await page.locator("svg.spark rect").count() > 0, "it has a sparkline");

	await page.click("text=v6.1-6-gabc");
	ok(page.url().endsWith("/c/6.html"), "to the checkout page", page.url());
	ok(await page.evaluate(() => window.__xss === undefined),
	    "the hostile subject on the checkout page ran no script");
	ok((await page.locator(".subject").first().textContent()).includes("<img src=x"),
	    "it shows as text");

	const changes = page.locator("section#changes table tbody tr");
	const all = await changes.count();
	await page.selectOption("section#changes form.filters select[name=status]", "FAIL");
	const visible = await changes.evaluateAll((rows) => rows.filter((r) => !r.hidden).length);
	// new pass and disappeared are counted, not listed: 7 rows of 9 changes
	ok(all === 7 && visible === 5, "a status filter shows the failing changes", `${visible} of ${all}`);
	ok(page.url().endsWith("#status=FAIL"), "the filter is in the URL fragment", page.url());
	await page.reload();
	const again = await changes.evaluateAll((rows) => rows.filter((r) => !r.hidden).length);
	ok(again === 5, "the filtered view is a permalink", again);

	await page.fill("section#tests form.filters input[name=path]", "flaky");
	const tests = await page.locator("section#tests table.filterable tbody tr").evaluateAll(
	    (rows) => rows.filter((r) => !r.hidden && !r.classList.contains("suite")).map(
	    (r) => r.cells[0].querySelector("a").textContent));
	ok(tests.length === 1 && tests[0].startsWith("smoke.flaky"), "a path filter, on the cells of a lean table",
	    tests.join(","));
	await page.screenshot({ path: shot, fullPage: true });

	await page.goto(page.url().replace(/#.*/, ""));
	await page.click("section#changes >> text=/smoke.flaky on qemu/");
	ok(/\/x\/demo\/master\/x86\.x86_64\.qemu\/smoke\.flaky\.html$/.test(page.url()),
	    "down to the test page", page.url());
	ok((await page.textContent("main")).includes("unstable"), "which says it is unstable");
	ok(await page.locator("table.filterable tbody tr").count() === 6, "and shows its history");

	await page.goto("file://" + site + "/regressions.html");
	ok(await page.locator("table.filterable tbody tr").count() === 3, "the regressions page lists three");
	await page.click("text=bisection 1");
	ok(page.url().endsWith("/bisect/1.html"), "a regression links to its bisection", page.url());
	ok((await page.textContent("h1")).includes("found"), "which says it found the culprit");
	ok(await page.locator("table.steps tbody tr").count() === 3, "and shows its steps");
	ok((await page.textContent("#culprit .subject")).includes("<img src=x"),
	    "the culprit's subject is text");
	await page.click("table.steps a[href$=\"c/5.html\"]");
	ok(page.url().endsWith("/c/5.html"), "a step links to its checkout", page.url());
	await page.click("nav >> text=Bisections");
	ok(await page.locator("table.bisections tbody tr").count() === 1, "the bisections page lists it");
	ok(await page.evaluate(() => window.__xss === undefined), "no script from a subject ran");

	// the triage: known issues beside failures, the issues, findings
	await page.goto("file://" + site + "/c/6.html");
	ok(await page.locator("section#tests .issue", { hasText: "smoke.still is broken" }).count() === 1,
	    "a failing test shows the known issue it matches");
	await page.click("section#tests .issue >> text=still_broken");
	ok(page.url().endsWith("/issues/still_broken.html"), "which links to its page", page.url());
	ok((await page.textContent("h1")).includes("smoke.still is broken"), "the issue's page names it");
	ok(await page.locator("#occurrences tbody tr").count() === 1, "and where it occurs");
	await linksResolve("the issue's page");
	await page.click("#occurrences tbody a[href*=\"/x/\"]");
	ok(/\/smoke\.still\.html$/.test(page.url()), "down to the test's page", page.url());
	ok(await page.locator("td.st .issue").count() === 1, "whose failure names the issue too");
	await page.click("nav >> text=Issues");
	ok(page.url().endsWith("/issues/index.html"), "the navigation leads to the issues", page.url());
	ok(await page.locator("#known tbody tr").count() === 1 &&
	    await page.locator("#signatures tbody tr").count() === 2,
	    "which lists the known issue and the signatures");
	await linksResolve("the list of issues");
	await page.goto("file://" + site + "/b/62.html");
	ok(await page.locator("ol.findings li").count() === 1, "a build's page shows what its log says");
	ok((await page.textContent("ol.findings pre")).includes("<img src=x"), "as text");
	await page.click("p.first-error a");
	ok(page.url().endsWith("#finding-0"), "the first error links to its finding", page.url());
	await page.click("ol.findings li a");
	ok(/\/issues\/sig-0+a1\.html$/.test(page.url()), "a finding links to its signature", page.url());
	ok((await page.textContent("pre.log")).includes("<img src=x"), "whose text is text");
	await linksResolve("a signature's page");
	await page.goto("file://" + site + "/x/demo/master/x86.x86_64.qemu/boot.html");
	ok(await page.locator("span.finding.panic").count() === 1, "a boot's page shows its job's panic");
	ok((await page.textContent("ol.findings pre")).includes("<script>"), "as text");
	await linksResolve("a boot's page");
	ok(await page.evaluate(() => window.__xss === undefined), "no script from a log ran");
	ok(dialogs === 0 && errors.length === 0, "no dialog and no script error anywhere",
	    errors.join("\n"));
	await browser.close();
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
})().catch((e) => {
	console.log(`not ok ${n + 1} - the browser walk\n#   ${e.message}`);
	console.log(`1..${n + 1}`);
	process.exit(1);
});
