// walk.cjs SITE SHOT: drive Debian's Chromium (headless, through
// playwright-core) over a rendered site from file://, printing TAP.
"use strict";
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
	ok(all === 9 && visible === 5, "a status filter shows the failing changes", `${visible} of ${all}`);
	ok(page.url().endsWith("#status=FAIL"), "the filter is in the URL fragment", page.url());
	await page.reload();
	const again = await changes.evaluateAll((rows) => rows.filter((r) => !r.hidden).length);
	ok(again === 5, "the filtered view is a permalink", again);

	await page.fill("section#tests form.filters input[name=path]", "flaky");
	const tests = await page.locator("section#tests table.filterable tbody tr").evaluateAll(
	    (rows) => rows.filter((r) => !r.hidden && r.hasAttribute("data-path")).map((r) => r.getAttribute("data-path")));
	ok(tests.length === 1 && tests[0] === "smoke.flaky", "a path filter", tests.join(","));
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
