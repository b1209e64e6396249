import { createHash } from "node:crypto";
import { publicQuestionnaire } from "./questionnaire";

// The wizard page: plain HTML and one inline script, no framework and no external assets. The
// questionnaire is embedded as JSON so the page needs no extra endpoint, and the script is
// allowed by its hash in the Content-Security-Policy. The same rendering feeds the Node server's
// "/" and the Vercel artifact's static/index.html.

const STYLE = `
:root{--ink:#1b1b24;--muted:#4b4b5a;--line:#c4c6d4;--primary:#1d4ed8;--primary-dark:#1e3a8a;--tint:#eef2ff;--danger:#b3001b}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:0 auto;padding:1.25rem 1rem 3rem;color:var(--ink);background:#fff}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .25rem}h2{font-size:1.3rem;margin:.5rem 0 .75rem}h2:focus{outline:none}
h3{font-size:1.05rem;margin:1.5rem 0 .5rem}.muted{color:var(--muted);margin-top:0}
.progress{margin:1rem 0 .5rem}.progress label{display:block;font-size:.9rem;color:var(--muted)}
progress{display:block;width:100%;height:.5rem;border:0;border-radius:1rem;background:#e3e5ee;overflow:hidden;-webkit-appearance:none;appearance:none}
progress::-webkit-progress-bar{background:#e3e5ee}progress::-webkit-progress-value{background:var(--primary)}progress::-moz-progress-bar{background:var(--primary)}
fieldset{border:1px solid var(--line);border-radius:8px;margin:0 0 1rem;padding:.75rem 1rem 1rem;min-width:0}
fieldset.invalid,.field.invalid input{border-color:var(--danger);box-shadow:0 0 0 1px var(--danger)}
legend{float:left;width:100%;padding:0;font-weight:600}legend+*{clear:both}
.opts{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.5rem}
.opts label{display:flex;align-items:center;gap:.5rem;min-height:2.75rem;padding:.35rem .75rem;border:1px solid var(--line);border-radius:6px;cursor:pointer}
.opts label:has(input:checked){border-color:var(--primary);background:var(--tint)}
.opts input{margin:0;width:1.1rem;height:1.1rem;accent-color:var(--primary)}
.field{margin:0 0 1.25rem}.field label{display:block;font-weight:600}.hint{display:block;font-weight:400;color:var(--muted);font-size:.9rem}
input[type=text],input[type=email]{font:inherit;width:100%;padding:.55rem .65rem;margin-top:.3rem;border:1px solid #767685;border-radius:6px}
.error{color:var(--danger);font-weight:600;margin:.25rem 0 0}.error:empty{display:none}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;margin-top:1.25rem}
button{font:inherit;font-weight:600;min-height:2.75rem;padding:.5rem 1.25rem;border:2px solid var(--primary);border-radius:6px;cursor:pointer}
.primary{background:var(--primary);color:#fff}.primary:hover{background:var(--primary-dark);border-color:var(--primary-dark)}
.secondary{background:#fff;color:var(--primary)}.secondary:hover{background:var(--tint)}
button[disabled]{opacity:.6;cursor:progress}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.score{font-size:2.6rem;font-weight:700;color:var(--primary)}
.cats{list-style:none;padding:0;margin:0}.cats li{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 1rem;padding:.5rem 0;border-bottom:1px solid #e3e5ee}
.cat-name{flex:1 1 0}.cat-weight{color:var(--muted);font-size:.9rem;white-space:nowrap}.cat-score{font-weight:600;white-space:nowrap}.cats meter{width:100%;height:.6rem}
#recommendations li{margin-bottom:.5rem}.report{margin-top:1.5rem;padding:1rem;border:1px solid var(--line);border-radius:8px}
.report h3{margin-top:0}.report .actions{margin-top:0}.report p{margin:.5rem 0 0}
@media (max-width:32rem){body{padding-top:.75rem}h1{font-size:1.3rem}.opts{flex-direction:column}.actions button{flex:1 1 auto}}
`;

const SCRIPT = `
"use strict";
const Q = JSON.parse(document.getElementById("questionnaire").textContent);
const root = document.getElementById("app");
const pageError = document.getElementById("error");
const state = { step: 0, answers: {}, organization: "", result: null };
const stepsTotal = Q.categories.length + 1;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(typeof c === "string" ? document.createTextNode(c) : c);
  return e;
}

function tokens() { try { return JSON.parse(sessionStorage.getItem("ara.tokens")); } catch { return null; } }
function saveTokens(t) { sessionStorage.setItem("ara.tokens", JSON.stringify(t)); }

async function newSession() {
  const res = await fetch("/api/sessions", { method: "POST" });
  if (!res.ok) throw new Error((await res.json()).message || "could not start a session");
  saveTokens(await res.json());
}
async function refresh() {
  const t = tokens();
  if (!t) return false;
  const res = await fetch("/api/sessions/refresh", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ refreshToken: t.refreshToken }),
  });
  if (!res.ok) return false;
  saveTokens(await res.json());
  return true;
}
async function api(method, path, body, retried) {
  if (!tokens()) await newSession();
  const headers = { authorization: "Bearer " + tokens().accessToken };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && !retried) {
    if (!(await refresh())) { sessionStorage.removeItem("ara.tokens"); }
    return api(method, path, body, true);
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.message || ("request failed with status " + res.status));
    err.status = res.status;
    err.retryAfter = Number(res.headers.get("retry-after")) || 0;
    throw err;
  }
  return data;
}
function saveProgress() {
  api("PUT", "/api/wizard", { step: state.step, answers: state.answers, organization: state.organization })
    .catch(() => {});
}

// Errors sit beside their control: a radio group's under its statement, a text field's under
// its label, each referenced by aria-describedby and flagged with aria-invalid.
function errorSlot(input) {
  if (input.type === "radio") {
    return { box: document.getElementById("err-" + input.name), controls: [...document.getElementsByName(input.name)] };
  }
  return { box: document.getElementById(input.id + "-error"), controls: [input] };
}
function setError(input, message) {
  const { box, controls } = errorSlot(input);
  box.textContent = message || "";
  for (const c of controls) {
    if (message) c.setAttribute("aria-invalid", "true"); else c.removeAttribute("aria-invalid");
  }
  box.closest("fieldset, .field").classList.toggle("invalid", !!message);
}
function messageFor(input) {
  if (input.type === "radio") return "Choose an answer";
  if (input.type === "email") return "Enter a valid email address";
  if (input.id === "organization") return "Enter your organization's name";
  return input.validationMessage;
}
function focusControl(input) {
  input.focus({ preventScroll: true });
  input.closest("fieldset, .field").scrollIntoView({ block: "nearest" });
}

// A real form: the browser checks the required and typed fields before "submit" fires. Its own
// bubbles are replaced by messages beside each control (a bubble names one field and is gone on
// the next tap), and focus goes to the first control that needs attention.
function wizardForm(onSubmit, ...children) {
  const form = el("form", {}, ...children);
  let focusQueued = false;
  form.addEventListener("invalid", (e) => {
    e.preventDefault();
    setError(e.target, messageFor(e.target));
    if (focusQueued) return;
    focusQueued = true;
    setTimeout(() => {
      focusQueued = false;
      const first = form.querySelector("input:invalid");
      if (first) focusControl(first);
    });
  }, true);
  const clearIfValid = (e) => { if (e.target.validity && e.target.validity.valid && e.target.hasAttribute("aria-invalid")) setError(e.target, ""); };
  form.addEventListener("change", clearIfValid);
  form.addEventListener("input", clearIfValid);
  form.addEventListener("submit", (e) => { e.preventDefault(); onSubmit(); });
  return form;
}

function render(moveFocus) {
  root.replaceChildren();
  if (state.result) renderResult();
  else {
    const label = "Step " + (state.step + 1) + " of " + stepsTotal;
    root.append(el("div", { class: "progress" },
      el("label", { for: "progress" }, label),
      el("progress", { id: "progress", max: stepsTotal, value: state.step + 1 }, label)));
    if (state.step < Q.categories.length) renderCategory(Q.categories[state.step]);
    else renderDetails();
  }
  // After a step change, start reading (and scrolling) from the new step's heading.
  if (moveFocus) { const h = root.querySelector("h2"); window.scrollTo(0, 0); h.focus({ preventScroll: true }); }
}

function backButton() {
  return el("button", { id: "back", type: "button", class: "secondary", onclick: () => { state.step--; render(true); } }, "Back");
}

function renderCategory(cat) {
  const sets = cat.questions.map((q) => {
    const opts = el("div", { class: "opts" });
    for (const s of Q.scale) {
      const input = el("input", { type: "radio", name: q.id, value: s.value, required: true,
        "aria-describedby": "err-" + q.id, checked: state.answers[q.id] === s.value,
        onchange: () => { state.answers[q.id] = s.value; } });
      opts.append(el("label", {}, input, s.label));
    }
    return el("fieldset", { "data-question": q.id, "aria-describedby": "err-" + q.id },
      el("legend", {}, q.text), el("p", { class: "error", id: "err-" + q.id }), opts);
  });
  root.append(wizardForm(() => { state.step++; saveProgress(); render(true); },
    el("h2", { tabindex: "-1" }, cat.title), ...sets,
    el("div", { class: "actions" }, state.step > 0 ? backButton() : null,
      el("button", { id: "next", type: "submit", class: "primary" }, "Next"))));
}

function textField(id, label, hint, attrs) {
  const input = el("input", Object.assign({ id, name: id, "aria-describedby": id + "-error" + (hint ? " " + id + "-hint" : "") }, attrs));
  return { input, field: el("div", { class: "field" },
    el("label", { for: id }, label, hint ? el("span", { class: "hint", id: id + "-hint" }, hint) : null),
    el("p", { class: "error", id: id + "-error" }), input) };
}

function renderDetails() {
  const org = textField("organization", "Organization", null,
    { type: "text", maxlength: "200", autocomplete: "organization", required: true, pattern: ".*\\\\S.*" });
  org.input.value = state.organization;
  // type=email accepts "name@host"; the API wants a domain with a dot, so the page does too.
  const email = textField("email", "Email", "Optional. Stored encrypted, never shown again.",
    { type: "email", maxlength: "254", autocomplete: "email", pattern: "[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+" });
  const formError = el("p", { class: "error", id: "form-error", role: "alert" });
  const submit = el("button", { id: "submit", type: "submit", class: "primary" }, "See my result");
  root.append(wizardForm(async () => {
    state.organization = org.input.value.trim();
    formError.textContent = ""; submit.disabled = true;
    try {
      const body = { organization: state.organization, answers: state.answers };
      if (email.input.value.trim()) body.email = email.input.value.trim();
      state.result = await api("POST", "/api/audits", body);
      state.result.organization = state.organization.normalize("NFC");
      state.result.hasEmail = body.email !== undefined;
      api("PUT", "/api/wizard", { step: state.step, answers: state.answers, organization: state.organization, completedAuditId: state.result.id }).catch(() => {});
      render(true);
    } catch (e) {
      submit.disabled = false;
      // The API names the field first ("organization: ..."): put its message beside that field.
      const m = /^(organization|email): (.*)$/s.exec(e.message);
      if (m && e.status === 400) {
        const input = m[1] === "email" ? email.input : org.input;
        setError(input, m[1] === "email" ? messageFor(input) : m[2]);
        focusControl(input);
      } else formError.textContent = e.message;
    }
  }, el("h2", { tabindex: "-1" }, "About you"), org.field, email.field,
    el("div", { class: "actions" }, backButton(), submit), formError));
}

function renderResult() {
  const r = state.result;
  const level = (Q.levels.find((l) => l.id === r.level) || { title: r.level }).title;
  const cats = el("ul", { id: "category-scores", class: "cats" });
  for (const c of Q.categories) {
    const v = (r.categoryScores || {})[c.id] || 0;
    cats.append(el("li", {}, el("span", { class: "cat-name" }, el("span", { class: "cat-title" }, c.title),
      " ", el("span", { class: "cat-weight" }, "(weight " + c.weight + "%)")),
      el("span", { class: "cat-score" }, v + " / 100"),
      el("meter", { min: 0, max: 100, low: 50, high: 75, optimum: 100, value: v, "aria-hidden": "true" })));
  }
  const recs = el("ol", { id: "recommendations" });
  for (const x of r.recommendations) recs.append(el("li", {}, el("strong", {}, x.title + ": "), x.message));

  // A new link replaces the old one only once it exists: a refused request (the hourly limit,
  // a signer failure) leaves the last link, which still works, with the reason beside it.
  const status = el("span", { id: "report-status", role: "status" });
  const linkLine = el("p", { id: "report-link" });
  const reportError = el("p", { class: "error", id: "report-error", role: "alert" });
  const btn = el("button", { id: "report", type: "button", class: "primary", onclick: async () => {
    btn.disabled = true; reportError.textContent = ""; status.textContent = "Creating your PDF...";
    try {
      const rep = await api("POST", "/api/audits/" + r.id + "/report");
      linkLine.replaceChildren(el("a", { id: "download", href: rep.downloadUrl, target: "_blank", rel: "noopener" }, "Download PDF report"),
        " (link valid until " + new Date(rep.expiresAt).toLocaleString() + ")");
      status.textContent = "Your PDF report is ready.";
    } catch (e) {
      status.textContent = "";
      let msg = e.message;
      if (e.status === 429) {
        const minutes = Math.max(1, Math.ceil(e.retryAfter / 60));
        msg = msg.split(";")[0] + ". Try again in " + minutes + (minutes === 1 ? " minute." : " minutes.");
      }
      if (linkLine.querySelector("a")) msg += " The link above still works.";
      reportError.textContent = msg;
    }
    btn.disabled = false;
  } }, "Create PDF report");

  // The report by mail, to the contact email given with the audit (the page never sees it again).
  const mailStatus = el("span", { id: "email-status", role: "status" });
  const mailError = el("p", { class: "error", id: "email-error", role: "alert" });
  const mailBtn = el("button", { id: "email-report", type: "button", class: "secondary", onclick: async () => {
    mailBtn.disabled = true; mailError.textContent = ""; mailStatus.textContent = "Sending...";
    try {
      await api("POST", "/api/audits/" + r.id + "/email");
      mailStatus.textContent = "Sent. Check your inbox for the report link.";
    } catch (e) {
      mailStatus.textContent = "";
      mailError.textContent = e.status === 503 || e.status === 429
        ? e.message.split(";")[0] + ". Try again in " + Math.max(1, Math.ceil((e.retryAfter || 60) / 60)) + " minute(s)."
        : e.message;
    }
    mailBtn.disabled = false;
  } }, "Email me the report");
  const mailBox = r.hasEmail
    ? el("div", { class: "actions" }, mailBtn, mailStatus)
    : null;

  root.append(el("section", { id: "result", "aria-labelledby": "result-title" },
    el("h2", { id: "result-title", tabindex: "-1" }, "Your readiness"),
    el("p", {}, "Organization: ", el("strong", { id: "result-organization" }, r.organization || state.organization)),
    el("p", {}, el("span", { class: "score", id: "score" }, String(r.score)), " / 100: ", el("strong", { id: "level" }, level)),
    el("h3", {}, "Category scores"), cats,
    el("h3", {}, "Recommendations"), recs,
    el("div", { class: "report" }, el("h3", {}, "PDF report"), el("div", { class: "actions" }, btn, status), linkLine, reportError, mailBox, mailBox ? mailError : null),
    el("div", { class: "actions" }, el("button", { id: "restart", type: "button", class: "secondary", onclick: () => {
      Object.assign(state, { step: 0, answers: {}, organization: "", result: null });
      saveProgress(); render(true);
    } }, "Start again"))));
}

// Core Web Vitals from the browser's own PerformanceObserver (no third-party script), sent once
// when the page is hidden, the end of a visit, to POST /api/vitals. INP is approximated by the
// longest interaction seen.
(() => {
  if (!("PerformanceObserver" in window)) return;
  const vitals = {};
  const observe = (type, fn, more) => {
    try { new PerformanceObserver((list) => list.getEntries().forEach(fn)).observe({ type, buffered: true, ...more }); } catch (e) {}
  };
  observe("largest-contentful-paint", (e) => { vitals.LCP = e.startTime; });
  observe("paint", (e) => { if (e.name === "first-contentful-paint") vitals.FCP = e.startTime; });
  observe("layout-shift", (e) => { if (!e.hadRecentInput) vitals.CLS = (vitals.CLS || 0) + e.value; });
  observe("event", (e) => { if (e.interactionId) vitals.INP = Math.max(vitals.INP || 0, e.duration); }, { durationThreshold: 40 });
  const nav = performance.getEntriesByType("navigation")[0];
  if (nav && nav.responseStart > 0) vitals.TTFB = nav.responseStart;
  let sent = false;
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "hidden" || sent) return;
    const list = Object.entries(vitals).map(([name, value]) => ({ name, value: Math.max(0, Math.round(value * 1000) / 1000) }));
    if (list.length === 0) return;
    sent = true;
    navigator.sendBeacon("/api/vitals", new Blob([JSON.stringify(list)], { type: "application/json" }));
  });
})();

// "Recover my audits": a one-time link is mailed to the address the audits were made with. The
// answer is the same whether or not such audits exist.
const recoverForm = document.getElementById("recover-form");
recoverForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = document.getElementById("recover-email");
  const out = document.getElementById("recover-status");
  const err = document.getElementById("recover-email-error");
  err.textContent = ""; input.removeAttribute("aria-invalid");
  if (!input.checkValidity() || !input.value.trim()) {
    err.textContent = "Enter a valid email address"; input.setAttribute("aria-invalid", "true"); input.focus(); return;
  }
  const res = await fetch("/api/sessions/recover", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: input.value.trim() }) }).catch(() => null);
  const data = res ? await res.json().catch(() => ({})) : {};
  out.textContent = res && res.status === 202 ? "If audits were made with this address, a link is on its way. It works once, for 15 minutes."
    : (data.message || "Could not send the request; try again.");
});
recoverForm.addEventListener("invalid", (e) => { e.preventDefault(); }, true);

// Arriving from a recovery mail: the token is in the fragment, which no server ever sees.
async function confirmRecovery() {
  const m = /^#recover=([A-Za-z0-9_-]{43})$/.exec(location.hash);
  if (!m) return false;
  history.replaceState(null, "", location.pathname);
  const res = await fetch("/api/sessions/recover/confirm", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: m[1] }) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) { pageError.textContent = data.message || "This recovery link did not work."; return false; }
  saveTokens({ accessToken: data.accessToken, refreshToken: data.refreshToken, expiresIn: data.expiresIn });
  if (data.audits && data.audits.length) state.result = await api("GET", "/api/audits/" + data.audits[0]).catch(() => null);
  return state.result !== null;
}

(async () => {
  try {
    if (await confirmRecovery()) { render(false); return; }
    const saved = await api("GET", "/api/wizard");
    if (saved.progress) {
      state.step = Math.min(saved.progress.step || 0, stepsTotal - 1);
      state.answers = saved.progress.answers || {};
      state.organization = saved.progress.organization || "";
      if (saved.progress.completedAuditId) {
        state.result = await api("GET", "/api/audits/" + saved.progress.completedAuditId).catch(() => null);
      }
    }
  } catch (e) { pageError.textContent = e.message; }
  render(false);
})();
`;

export interface Page {
  html: string;
  csp: string;
}

export function renderPage(): Page {
  // "<" is escaped so no questionnaire text can close the JSON script element.
  const data = JSON.stringify(publicQuestionnaire()).replace(/</g, "\\u003c");
  const scriptHash = createHash("sha256").update(SCRIPT).digest("base64");
  const styleHash = createHash("sha256").update(STYLE).digest("base64");
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${scriptHash}'`,
    `style-src 'sha256-${styleHash}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agent Readiness Audit</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<h1>Agent Readiness Audit</h1>
<p class="muted">How ready is your organization for AI agents? Rate each statement by how true it is today.</p>
<p id="error" class="error" role="alert"></p>
<main id="app"><p>Loading...</p></main>
<details id="recover" class="report">
<summary>Recover my audits</summary>
<form id="recover-form" novalidate>
<div class="field"><label for="recover-email">Email used for your audits<span class="hint" id="recover-email-hint">We send a one-time link that opens them on this device.</span></label>
<p class="error" id="recover-email-error"></p>
<input id="recover-email" name="email" type="email" maxlength="254" autocomplete="email" required aria-describedby="recover-email-error recover-email-hint"></div>
<div class="actions"><button id="recover-submit" type="submit" class="secondary">Email me a link</button><span id="recover-status" role="status"></span></div>
</form>
</details>
<script id="questionnaire" type="application/json">${data}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
  return { html, csp };
}
