/*
 * filter.js: client-side filtering of the tables of a Maestrino page, by
 * status, arch, platform and test path.  The filter lives in the URL
 * fragment (#status=FAIL&path=smoke), so a filtered view is a permalink.
 * A row's values are its data-* attributes or, in the large tables of a
 * checkout, which carry none to stay small, its cells under the headings
 * test, platform, arch and status.  Every page works without it.
 */
(function () {
	"use strict";
	var keys = ["status", "arch", "platform", "path"];
	var heads = { test: "path", platform: "platform", arch: "arch",
	    status: "status" };

	/* The column of each key in table, from its headings. */
	function columns(table) {
		var cols = {};
		if (table.filterColumns)
			return table.filterColumns;
		table.querySelectorAll("thead th").forEach(function (th, i) {
			var k = heads[th.textContent.trim()];
			if (k)
				cols[k] = i;
		});
		table.filterColumns = cols;
		return cols;
	}

	/* The value of key k in row tr, or null when it has none. */
	function value(tr, k) {
		var v = tr.getAttribute("data-" + k), col, cell;
		if (v !== null || tr.hasAttribute("data-status"))
			return v;
		col = columns(tr.closest("table"))[k];
		cell = col === undefined ? null : tr.cells[col];
		if (!cell || cell.tagName !== "TD")
			return null;
		if (k === "path")
			return (cell.querySelector("a") || cell).textContent.trim();
		if (k === "status")
			return cell.textContent.trim().split(/\s+/)[1] || null;
		return cell.textContent.trim();
	}

	function state() {
		var s = {}, parts = location.hash.replace(/^#/, "").split("&");
		parts.forEach(function (p) {
			var kv = p.split("=");
			if (kv.length === 2 && keys.indexOf(kv[0]) >= 0)
				s[kv[0]] = decodeURIComponent(kv[1]);
		});
		return s;
	}

	function save(s) {
		var parts = [];
		keys.forEach(function (k) {
			if (s[k])
				parts.push(k + "=" + encodeURIComponent(s[k]));
		});
		history.replaceState(null, "", parts.length ?
		    "#" + parts.join("&") : location.pathname + location.search);
	}

	function apply() {
		var s = state();
		document.querySelectorAll("table.filterable tbody tr").forEach(
		    function (tr) {
			var show = keys.every(function (k) {
				var v = value(tr, k);
				if (!s[k] || v === null)
					return true;
				return k === "path" ? v.indexOf(s[k]) >= 0 :
				    v === s[k];
			});
			tr.hidden = !show;
		});
		document.querySelectorAll(".filters [name]").forEach(
		    function (el) {
			el.value = s[el.name] || "";
		});
	}

	function values(table, k) {
		var seen = {};
		table.querySelectorAll("tbody tr").forEach(function (tr) {
			var v = value(tr, k);
			if (v)
				seen[v] = true;
		});
		return Object.keys(seen).sort();
	}

	function bar(table) {
		var form = document.createElement("form");
		form.className = "filters";
		form.setAttribute("role", "search");
		keys.forEach(function (k) {
			var vals = k === "path" ? [] : values(table, k), el;
			if (k !== "path" && vals.length < 2)
				return;
			if (k === "path" && !table.querySelector("tr[data-path]") &&
			    columns(table).path === undefined)
				return;
			var label = document.createElement("label");
			label.textContent = k + " ";
			if (k === "path") {
				el = document.createElement("input");
				el.type = "search";
				el.placeholder = "test path contains";
			} else {
				el = document.createElement("select");
				["", ].concat(vals).forEach(function (v) {
					var o = document.createElement("option");
					o.value = v;
					o.textContent = v || "all";
					el.appendChild(o);
				});
			}
			el.name = k;
			el.addEventListener("input", function () {
				var s = state();
				s[k] = el.value;
				save(s);
				apply();
			});
			label.appendChild(el);
			form.appendChild(label);
		});
		form.addEventListener("submit", function (e) {
			e.preventDefault();
		});
		if (form.childNodes.length)
			table.parentNode.insertBefore(form, table);
	}

	function ages() {
		var now = Date.now();
		document.querySelectorAll("time[datetime]").forEach(function (t) {
			var d = (now - Date.parse(t.getAttribute("datetime"))) /
			    1000, s;
			if (isNaN(d) || d < 0)
				return;
			s = d < 3600 ? Math.round(d / 60) + " min" :
			    d < 172800 ? Math.round(d / 3600) + " h" :
			    Math.round(d / 86400) + " days";
			t.title = t.textContent;
			t.textContent += " (" + s + " ago)";
		});
	}

	document.addEventListener("DOMContentLoaded", function () {
		document.querySelectorAll("table.filterable").forEach(bar);
		apply();
		ages();
		window.addEventListener("hashchange", apply);
	});
})();
