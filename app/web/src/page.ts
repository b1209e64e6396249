import { createHash } from "node:crypto";
import { publicQuestionnaire } from "./questionnaire";

// The wizard page: plain HTML and one inline script, no framework and no external assets. The
// questionnaire is embedded as JSON so the page needs no extra endpoint, and the script is
// allowed by its hash in the Content-Security-Policy. The same rendering feeds the Node server's
// "/" and the Vercel artifact's static/index.html.

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b24}
h1{font-size:1.6rem}fieldset{border:1px solid #ccd;border-radius:6px;margin:0 0 1rem;padding:.75rem 1rem}
legend{font-weight:600;padding:0 .25rem}.opts{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:.4rem}
label{cursor:pointer}button{font:inherit;padding:.45rem 1rem;margin-right:.5rem;cursor:pointer}
input[type=text],input[type=email]{font:inherit;width:100%;padding:.4rem;box-sizing:border-box;margin:.25rem 0 1rem}
#error{color:#a00018;min-height:1.5rem}.score{font-size:2.4rem;font-weight:700}.muted{color:#555}
`;

const SCRIPT = `
"use strict";
const Q = JSON.parse(document.getElementById("questionnaire").textContent);
const root = document.getElementById("app");
const errorBox = document.getElementById("error");
const state = { step: 0, answers: {}, organization: "", result: null };
const stepsTotal = Q.categories.length + 1;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick") e.addEventListener("click", v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(typeof c === "string" ? document.createTextNode(c) : c);
  return e;
}
function showError(msg) { errorBox.textContent = msg || ""; }

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
  if (!res.ok) throw new Error(data.message || ("request failed with status " + res.status));
  return data;
}
function saveProgress() {
  api("PUT", "/api/wizard", { step: state.step, answers: state.answers, organization: state.organization })
    .catch(() => {});
}

function render() {
  root.replaceChildren();
  if (state.result) return renderResult();
  root.append(el("p", { class: "muted", id: "progress" }, "Step " + (state.step + 1) + " of " + stepsTotal));
  if (state.step < Q.categories.length) return renderCategory(Q.categories[state.step]);
  return renderDetails();
}

function renderCategory(cat) {
  root.append(el("h2", {}, cat.title));
  for (const q of cat.questions) {
    const opts = el("div", { class: "opts" });
    for (const s of Q.scale) {
      const input = el("input", { type: "radio", name: q.id, value: String(s.value) });
      if (state.answers[q.id] === s.value) input.checked = true;
      input.addEventListener("change", () => { state.answers[q.id] = s.value; });
      opts.append(el("label", {}, input, " " + s.label));
    }
    root.append(el("fieldset", { "data-question": q.id }, el("legend", {}, q.text), opts));
  }
  const nav = el("div");
  if (state.step > 0) nav.append(el("button", { id: "back", type: "button", onclick: () => { state.step--; showError(); render(); } }, "Back"));
  nav.append(el("button", { id: "next", type: "button", onclick: () => {
    const missing = cat.questions.filter((q) => state.answers[q.id] === undefined);
    if (missing.length) return showError("Answer every statement to continue.");
    showError(); state.step++; saveProgress(); render();
  } }, "Next"));
  root.append(nav);
}

function renderDetails() {
  root.append(el("h2", {}, "About you"));
  const org = el("input", { type: "text", id: "organization", maxlength: "200", autocomplete: "organization" });
  org.value = state.organization;
  const email = el("input", { type: "email", id: "email", maxlength: "254", autocomplete: "email" });
  root.append(el("label", { for: "organization" }, "Organization"), org,
    el("label", { for: "email" }, "Email (optional, stored encrypted)"), email);
  const submit = el("button", { id: "submit", type: "button", onclick: async () => {
    state.organization = org.value.trim();
    if (!state.organization) return showError("Enter your organization's name.");
    showError(); submit.disabled = true;
    try {
      const body = { organization: state.organization, answers: state.answers };
      if (email.value.trim()) body.email = email.value.trim();
      state.result = await api("POST", "/api/audits", body);
      api("PUT", "/api/wizard", { step: state.step, answers: state.answers, organization: state.organization, completedAuditId: state.result.id }).catch(() => {});
      render();
    } catch (e) { showError(e.message); submit.disabled = false; }
  } }, "See my result");
  root.append(el("div", {}, el("button", { id: "back", type: "button", onclick: () => { state.step--; render(); } }, "Back"), submit));
}

function renderResult() {
  const r = state.result;
  const level = (Q.levels.find((l) => l.id === r.level) || { title: r.level }).title;
  const recs = el("ol", { id: "recommendations" });
  for (const x of r.recommendations) recs.append(el("li", {}, el("strong", {}, x.title + ": "), x.message));
  const out = el("p", { id: "report-status" });
  const btn = el("button", { id: "report", type: "button", onclick: async () => {
    btn.disabled = true; showError(); out.textContent = "Creating your PDF...";
    try {
      const rep = await api("POST", "/api/audits/" + r.id + "/report");
      out.replaceChildren(el("a", { id: "download", href: rep.downloadUrl, target: "_blank", rel: "noopener" }, "Download PDF report"),
        " (link valid until " + new Date(rep.expiresAt).toLocaleString() + ")");
    } catch (e) { out.textContent = ""; showError(e.message); }
    btn.disabled = false;
  } }, "Create PDF report");
  root.append(el("section", { id: "result" },
    el("h2", {}, "Your readiness"),
    el("p", {}, el("span", { class: "score", id: "score" }, String(r.score)), " / 100 - ", el("strong", { id: "level" }, level)),
    el("h3", {}, "Recommendations"), recs, btn, out,
    el("p", {}, el("button", { id: "restart", type: "button", onclick: () => {
      Object.assign(state, { step: 0, answers: {}, organization: "", result: null });
      saveProgress(); render();
    } }, "Start again"))));
}

(async () => {
  try {
    const saved = await api("GET", "/api/wizard");
    if (saved.progress) {
      state.step = Math.min(saved.progress.step || 0, stepsTotal - 1);
      state.answers = saved.progress.answers || {};
      state.organization = saved.progress.organization || "";
      if (saved.progress.completedAuditId) {
        state.result = await api("GET", "/api/audits/" + saved.progress.completedAuditId).catch(() => null);
      }
    }
  } catch (e) { showError(e.message); }
  render();
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
<div id="error" role="alert"></div>
<main id="app"><p>Loading...</p></main>
<script id="questionnaire" type="application/json">${data}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
  return { html, csp };
}
