// Retort dashboard: browse, search, read, rate and compare logged exchanges; see and
// switch how each route is served.
// Plain JavaScript over the admin API; every text from the corpus goes through
// textContent; no HTML is ever built from strings.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { before: null, history: [], next: null, detail: null, key: localStorage.getItem("retortAdminKey") || "" };

/** Calls the admin API; throws an Error carrying the server's message. */
async function api(path, options = {}) {
  const headers = Object.assign({ "Content-Type": "application/json" }, options.headers || {});
  if (state.key) headers.Authorization = "Bearer " + state.key;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401 || response.status === 403) $("key-form").hidden = false;
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
  if (!response.ok) throw new Error((body && body.error && body.error.message) || ("HTTP " + response.status));
  return body;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value; else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  return node;
}

function showError(message) {
  $("error").textContent = message || "";
  $("error").hidden = !message;
}

function ratingMark(rating) { return rating === "up" ? "▲" : rating === "down" ? "▼" : ""; }
function time(seconds) { return new Date(seconds * 1000).toLocaleString(); }
function content(message) {
  if (!message) return "";
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) return message.content.map((p) => p.text || "[" + p.type + "]").join("\n");
  if (message.tool_calls) return JSON.stringify(message.tool_calls, null, 2);
  return "";
}

async function loadStats() {
  try {
    const s = await api("/admin/stats");
    const box = $("stats");
    box.replaceChildren();
    const add = (label, value) => box.append(el("span", {}, el("b", {}, value), " " + label));
    add("exchanges", s.exchanges);
    add("rated up", s.by_rating.up || 0);
    add("rated down", s.by_rating.down || 0);
    add("feedback", s.feedback);
    add("pairs", Object.values(s.preference_pairs).reduce((a, b) => a + b, 0));
    add("routes", Object.keys(s.by_route).length);
    add("ok", s.by_status["200"] || 0);
    add("tokens", (s.tokens.prompt + s.tokens.completion).toLocaleString());
    if (s.latency_ms.p50 !== null) add("ms p50 / p99", Math.round(s.latency_ms.p50) + " / " + Math.round(s.latency_ms.p99));
  } catch (error) {
    $("stats").textContent = "stats: " + error.message;
  }
}

function query() {
  const params = new URLSearchParams();
  for (const name of ["q", "route", "status", "served_by", "surface", "rating"]) {
    const value = $(name).value.trim();
    if (value) params.set(name, value);
  }
  params.set("limit", "50");
  if (state.before) params.set("before", state.before);
  return params;
}

async function loadPage() {
  try {
    const page = await api("/admin/exchanges?" + query().toString());
    showError("");
    state.next = page.next_before;
    renderRows(page.data);
  } catch (error) {
    showError(error.message);
    renderRows([]);
  }
  $("older").disabled = !state.next;
  $("newer").disabled = state.history.length === 0;
  $("page-info").textContent = "page " + (state.history.length + 1);
}

function renderRows(items) {
  const body = $("rows");
  body.replaceChildren();
  for (const item of items) {
    const row = el("tr", { "data-id": item.id },
      el("td", {}, time(item.created_at)), el("td", {}, item.route),
      el("td", {}, item.served_by + (item.surface && item.surface !== "chat" ? " · " + item.surface : "")),
      el("td", { class: item.status === 200 ? "status-ok" : "status-bad" }, item.status),
      el("td", { class: "rating" }, ratingMark(item.rating)),
      el("td", {}, (item.prompt_tokens ?? "?") + "/" + (item.completion_tokens ?? "?")),
      el("td", { class: "prompt", title: item.answer_preview || "" }, item.prompt_preview || ""));
    if (state.detail && state.detail.id === item.id) row.classList.add("selected");
    row.addEventListener("click", () => openDetail(item.id));
    body.append(row);
  }
  if (items.length === 0) body.append(el("tr", {}, el("td", { colspan: "7" }, "No exchanges.")));
}

async function openDetail(id) {
  try {
    const detail = await api("/admin/exchanges/" + encodeURIComponent(id));
    state.detail = detail;
    renderDetail(detail);
    for (const row of $("rows").children) row.classList.toggle("selected", row.dataset.id === id);
  } catch (error) {
    showError(error.message);
  }
}

function firstAnswer(detail) {
  const choices = (detail.response && detail.response.choices) || [];
  return choices.length ? choices[0].message : null;
}

function renderDetail(d) {
  $("detail").hidden = false;
  $("detail-title").textContent = d.id;
  $("meta").textContent = [d.route, "served by " + d.served_by, "API " + (d.surface || "chat"), "status " + d.status, "finish " + (d.finish_reason || "-"),
    (d.prompt_tokens ?? "?") + "+" + (d.completion_tokens ?? "?") + " tokens", Math.round(d.latency_ms || 0) + " ms",
    time(d.created_at), d.rating ? "rated " + d.rating : "unrated"].join(" · ");
  const conversation = $("conversation");
  conversation.replaceChildren();
  const messages = (d.request && d.request.messages) || [];
  for (const m of messages) conversation.append(el("div", { class: "message " + m.role }, el("span", { class: "role" }, m.role), content(m)));
  const choices = (d.response && d.response.choices) || [];
  for (const c of choices) {
    conversation.append(el("div", { class: "message assistant answer-choice" },
      el("span", { class: "role" }, "assistant" + (choices.length > 1 ? " #" + c.index : "")), content(c.message)));
  }
  if (!choices.length && d.error) conversation.append(el("div", { class: "message tool" }, el("span", { class: "role" }, "error"), d.error));
  $("demonstration").value = content(firstAnswer(d));
  $("comment").value = "";
  $("saved").textContent = "";
  $("side-by-side").hidden = true;
  const compare = $("compare-with");
  compare.replaceChildren(...d.same_prompt.map((id) => el("option", { value: id }, id)));
  $("compare-box").hidden = d.same_prompt.length === 0;
  $("feedback").replaceChildren(...d.feedback.map((f) => el("li", {}, describeFeedback(f))));
}

function describeFeedback(f) {
  const parts = [time(f.created_at), f.kind];
  if (f.rating) parts.push(ratingMark(f.rating));
  if (f.score !== undefined) parts.push("score " + f.score);
  if (f.comment) parts.push("“" + f.comment + "”");
  if (f.demonstration) parts.push("demonstration: " + content(f.demonstration).slice(0, 80));
  if (f.rejected) parts.push("preferred over " + f.rejected);
  if (f.chosen_index !== undefined) parts.push("choice " + f.chosen_index + " over " + f.rejected_index);
  return parts.join(" · ");
}

async function sendFeedback(body, label) {
  if (!state.detail) return;
  try {
    const reply = await api("/admin/feedback", { method: "POST", body: JSON.stringify(body) });
    $("saved").textContent = "Saved " + label + " (" + reply.id + ")";
    const id = state.detail.id;
    await openDetail(id);
    $("saved").textContent = "Saved " + label + " (" + reply.id + ")";
    loadStats();
    const row = [...$("rows").children].find((r) => r.dataset.id === id);
    if (row && body.rating) row.querySelector(".rating").textContent = ratingMark(body.rating);
  } catch (error) {
    $("saved").textContent = "";
    showError(error.message);
  }
}

async function compareWith(otherID) {
  const other = await api("/admin/exchanges/" + encodeURIComponent(otherID));
  $("left-answer").textContent = content(firstAnswer(state.detail));
  $("right-answer").textContent = content(firstAnswer(other));
  $("side-by-side").hidden = false;
  $("side-by-side").dataset.other = otherID;
}

async function download() {
  const params = new URLSearchParams({ format: $("export-format").value });
  if ($("export-split").value) params.set("split", $("export-split").value);
  try {
    const headers = state.key ? { Authorization: "Bearer " + state.key } : {};
    const response = await fetch("/admin/export?" + params.toString(), { headers });
    if (!response.ok) throw new Error("export failed: HTTP " + response.status);
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: "retort-" + params.get("format") + ".jsonl" });
    link.click();
  } catch (error) { showError(error.message); }
}

// Serving panel: each route's mode, who served it, the gate's results and recent
// changes; the fallback rate's trend is sampled on every refresh.
const trends = {};
const BARS = "▁▂▃▄▅▆▇█";

function percent(value) { return value === null || value === undefined ? "–" : (value * 100).toFixed(1) + "%"; }

function trend(route, rate) {
  const samples = trends[route] || (trends[route] = []);
  if (rate !== null && rate !== undefined) samples.push(rate);
  if (samples.length > 30) samples.shift();
  return samples.map((r) => BARS[Math.min(BARS.length - 1, Math.floor(r * BARS.length))]).join("");
}

// Small SVG plots: a line through points in the unit square (x right, y up), with an
// optional marked point; `yFrom` is the value at the bottom edge.
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function plot(points, { mark = null, yFrom = 0, title = "", width = 160, height = 64 } = {}) {
  const x = (v) => (2 + v * (width - 4)).toFixed(1);
  const y = (v) => (height - 2 - (Math.max(v, yFrom) - yFrom) / Math.max(1e-9, 1 - yFrom) * (height - 4)).toFixed(1);
  const line = points.map(([px, py]) => x(px) + "," + y(py)).join(" ");
  const node = svg("svg", { class: "plot", width, height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": title },
    svg("title", {}, document.createTextNode(title)),
    svg("rect", { x: 0.5, y: 0.5, width: width - 1, height: height - 1, class: "plot-frame" }),
    svg("polyline", { points: line, class: "plot-line" }));
  if (mark) node.append(svg("circle", { cx: x(mark[0]), cy: y(mark[1]), r: 3.5, class: "plot-mark" }));
  return node;
}

// The student's share of a route's latest requests, span by span.
function sharePlot(history) {
  if (!history || history.length === 0) return "–";
  const first = history[0].start, last = history[history.length - 1].start;
  let points = history.filter((b) => b.total > 0)
    .map((b) => [last > first ? (b.start - first) / (last - first) : 0, b.student / b.total]);
  if (points.length === 1) points = [points[0], [1, points[0][1]]];  // one span: a level line
  const served = history.reduce((n, b) => n + b.student, 0), total = history.reduce((n, b) => n + b.total, 0);
  return plot(points, { title: "student share of the last " + total + " requests: " + percent(served / total)
    + " (" + time(first) + " to " + time(last) + ")", width: 120, height: 32 });
}

// A route's router: coverage against the quality of the served mix, the operating point marked.
function routerPlot(router) {
  if (!router || !router.curve || router.curve.length === 0) return "";
  const lowest = Math.min(...router.curve.map((p) => p[1]));
  const yFrom = Math.max(0, Math.floor(lowest * 10) / 10);
  const tasks = (router.tasks || []).map((t) => el("li", {}, t.task + ": " + t.samples + " rows, coverage "
    + percent(t.coverage) + " at quality " + percent(t.quality)));
  return el("div", { class: "router" },
    plot(router.curve, { mark: [router.coverage, router.quality], yFrom,
      title: "coverage (x) against quality of the served mix (y, from " + percent(yFrom) + " to 100%)" }),
    el("div", {}, "coverage " + percent(router.coverage) + " at quality " + percent(router.quality)
      + " · AUC prompt " + percent(router.prompt_auc) + ", answer " + percent(router.answer_auc)),
    tasks.length ? el("ul", { class: "router-tasks" }, ...tasks) : "");
}

function describeState(state) {
  if (!state) return "";
  return state.mode + (state.mode === "canary" ? " " + state.canary_percent + "%" : "") + (state.student ? " (" + state.student + ")" : "");
}

function renderServingRoutes(routes) {
  const body = $("serving-routes");
  body.replaceChildren();
  const select = $("serving-route");
  const chosen = select.value;
  select.replaceChildren();
  for (const r of routes) {
    body.append(el("tr", {},
      el("td", {}, r.route),
      el("td", { class: "mode-" + r.mode, title: r.promotion ? "automatic promotion: " + r.promotion : "" }, r.mode,
        r.promotion ? el("small", { class: "promotion" }, " " + r.promotion.replaceAll("_", " ")) : ""),
      el("td", {}, r.mode === "canary" ? r.canary_percent + "%" : "–"),
      el("td", { title: r.student_status || "" }, r.student || "–"),
      el("td", {}, r.served_by_student + " / " + r.served_by_teacher),
      el("td", {}, sharePlot(r.student_share_history)),
      el("td", {}, percent(r.fallback_rate), " ", el("span", { class: "trend" }, trend(r.route, r.fallback_rate))),
      el("td", {}, r.shadow_runs + " / " + r.shadow_drops)));
    select.append(el("option", {}, r.route));
  }
  if (chosen) select.value = chosen;
}

function renderServingLists(serving) {
  const none = () => el("li", { class: "none" }, "none yet");
  $("serving-gates").replaceChildren(...(serving.gate_results.length ? [] : [none()]), ...serving.gate_results.slice(0, 6).map((g) => {
    const m = g.metrics || {};
    return el("li", {}, el("b", { class: g.passed ? "gate-pass" : "gate-fail" }, g.passed ? "passed" : "failed"),
      " " + g.version + (g.route ? " on " + g.route : "") + " · " + (m.samples ?? "?") + " rows, exact " + percent(m.exact_match)
      + ", F1 " + percent(m.token_f1) + (m.failures && m.failures.length ? " · " + m.failures.join(", ") : "") + " · " + time(g.created_at),
      routerPlot(m.router));
  }));
  $("serving-events").replaceChildren(...(serving.events.length ? [] : [none()]), ...serving.events.slice(0, 8).map((e) => el("li", {},
    time(e.time) + " " + e.to.route + ": " + describeState(e.from) + " → " + describeState(e.to)
    + " [" + e.reason + ", " + e.actor + "]" + (e.note ? " " + e.note : ""))));
}

async function loadServing() {
  try {
    const serving = await api("/admin/serving");
    renderServingRoutes(serving.data);
    renderServingLists(serving);
    const students = serving.data.filter((r) => r.mode !== "teacher").length;
    $("serving-summary").textContent = serving.data.length + " routes, " + students + " with a student"
      + (serving.auto_promote ? " · automatic promotion on" : "");
  } catch (error) {
    $("serving-summary").textContent = error.message;
  }
}

async function switchServing(event) {
  event.preventDefault();
  const body = { route: $("serving-route").value, mode: $("serving-mode").value };
  if (body.mode === "canary" && $("serving-percent").value) body.percent = Number($("serving-percent").value);
  if ($("serving-student").value.trim()) body.student = $("serving-student").value.trim();
  try {
    await api("/admin/serving", { method: "POST", body: JSON.stringify(body) });
    $("serving-saved").textContent = "switched " + body.route + " to " + body.mode;
    await loadServing();
  } catch (error) { $("serving-saved").textContent = error.message; }
}

function wire() {
  $("serving-form").addEventListener("submit", switchServing);
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); state.before = null; state.history = []; loadPage(); });
  $("older").addEventListener("click", () => { state.history.push(state.before); state.before = state.next; loadPage(); });
  $("newer").addEventListener("click", () => { state.before = state.history.pop() ?? null; loadPage(); });
  $("close").addEventListener("click", () => { $("detail").hidden = true; state.detail = null; });
  $("rate-up").addEventListener("click", () => sendFeedback({ exchange_id: state.detail.id, rating: "up" }, "rating up"));
  $("rate-down").addEventListener("click", () => sendFeedback({ exchange_id: state.detail.id, rating: "down" }, "rating down"));
  $("score").addEventListener("input", () => { $("score-value").textContent = $("score").value; });
  $("save-score").addEventListener("click", () => sendFeedback({ exchange_id: state.detail.id, score: Number($("score").value) }, "score"));
  $("save-comment").addEventListener("click", () => sendFeedback({ exchange_id: state.detail.id, comment: $("comment").value }, "comment"));
  $("save-demonstration").addEventListener("click", () => sendFeedback({ exchange_id: state.detail.id,
    demonstration: { role: "assistant", content: $("demonstration").value } }, "demonstration"));
  $("compare").addEventListener("click", () => compareWith($("compare-with").value).catch((e) => showError(e.message)));
  $("pick-left").addEventListener("click", () => sendFeedback({ chosen: state.detail.id, rejected: $("side-by-side").dataset.other }, "preference"));
  $("pick-right").addEventListener("click", () => sendFeedback({ chosen: $("side-by-side").dataset.other, rejected: state.detail.id }, "preference"));
  $("export").addEventListener("click", download);
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.key = $("admin-key").value.trim();
    localStorage.setItem("retortAdminKey", state.key);
    $("key-form").hidden = true;
    loadStats(); loadPage();
  });
}

wire();
loadStats();
loadPage();
loadServing();
setInterval(loadServing, 5000);
