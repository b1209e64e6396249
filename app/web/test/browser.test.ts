import axe from "axe-core";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES } from "../src/questionnaire";
import { startDevServer, type DevServer } from "./harness/dev";

const CHROMIUM = "/usr/bin/chromium";
// Screenshots of every state the tests reach, at both sizes, kept for a person to look at
// (gitignored; CI leaves them in the clone).
const SHOTS = path.resolve(import.meta.dirname, "../test-results/browser");

const SIZES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 700 },
} as const;
type Size = keyof typeof SIZES;

// The answer given to every statement of category i; its category score is then 25 × that.
const answerFor = (i: number) => (i + 2) % 5;

// A person's path through `npm run dev`: open the page, answer the questionnaire, see the
// result and download the PDF, on a desktop screen and on a phone. Uses Debian's chromium (no
// browser download).
describe("the wizard page in a real browser", () => {
  let dev: DevServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing; install it: \`apt-get install -y chromium\``);
    }
    await mkdir(SHOTS, { recursive: true });
    [dev, browser] = await Promise.all([
      // Every page in this file talks from 127.0.0.1: the per-IP limit is not under test here.
      startDevServer({ ARA_DEV_MEMORY: "1", RATE_LIMIT_PER_MINUTE: "10000" }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      }),
    ]);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    console.log(`browser test screenshots: ${SHOTS}`);
  });

  async function open(size: Size) {
    // A context per test: its own sessionStorage, so its own session and report limit.
    const context = await browser.newContext({ viewport: SIZES[size] });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(dev.base + "/");
    await page.waitForSelector("#next");
    return { page, problems, close: () => context.close() };
  }

  // axe-core, evaluated through the DevTools protocol so the page's CSP stays in force for
  // everything else; fails on any serious or critical violation, then keeps a screenshot.
  async function check(page: Page, size: Size, state: string) {
    if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axe.source);
    const { passed, violations } = await page.evaluate(async () => {
      const w = window as unknown as { axe: typeof axe };
      const r = await w.axe.run(document, { resultTypes: ["violations"] });
      return {
        passed: r.passes.length,
        violations: r.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map(
            (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
          ),
      };
    });
    await page.screenshot({ path: path.join(SHOTS, `${size}-${state}.png`), fullPage: true });
    expect(passed, "axe ran its rules").toBeGreaterThan(10);
    expect(violations, `axe on ${size} ${state}`).toEqual([]);
  }

  const focused = (page: Page) =>
    page.evaluate(() => {
      const a = document.activeElement as HTMLInputElement | null;
      return a ? `${a.tagName.toLowerCase()}#${a.id}[name=${a.name ?? ""}]` : "";
    });

  async function inViewport(page: Page, selector: string, size: Size) {
    const box = await page.locator(selector).boundingBox();
    expect(box, `${selector} is rendered`).not.toBeNull();
    expect(box!.y, `${selector} top`).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height, `${selector} bottom`).toBeLessThanOrEqual(SIZES[size].height);
  }

  async function answerCategory(page: Page, i: number) {
    const category = CATEGORIES[i]!;
    await page.waitForSelector(`h2:text-is("${category.title}")`);
    for (const q of category.questions) {
      await page.check(`input[name="${q.id}"][value="${answerFor(i)}"]`);
    }
    await page.click("#next");
  }

  for (const size of Object.keys(SIZES) as Size[]) {
    it(`${size}: each unanswered statement shows its error beside it, and focus moves to the first`, async () => {
      const { page, problems, close } = await open(size);
      const [first, second, third] = CATEGORIES[0]!.questions;

      // A real form with a submit button and required radios, so the browser validates.
      expect(await page.getAttribute("#next", "type")).toBe("submit");
      expect(await page.locator("form #next").count()).toBe(1);
      expect(await page.locator(`input[name="${first!.id}"][required]`).count()).toBe(5);

      // Progress is a bar, not only text.
      const bar = page.locator("progress#progress");
      expect(await bar.getAttribute("value")).toBe("1");
      expect(await bar.getAttribute("max")).toBe(String(CATEGORIES.length + 1));

      await check(page, size, "1-questions");

      await page.click("#next");
      for (const q of [first!, second!, third!]) {
        const err = page.locator(`#err-${q.id}`);
        await expect.poll(() => err.textContent()).toBe("Choose an answer");
        expect(await err.isVisible()).toBe(true);
        const fieldset = page.locator(`fieldset[data-question="${q.id}"]`);
        expect((await fieldset.getAttribute("aria-describedby"))?.split(" ")).toContain(
          `err-${q.id}`,
        );
        expect(await page.getAttribute(`input[name="${q.id}"] >> nth=0`, "aria-invalid")).toBe(
          "true",
        );
      }
      await expect.poll(() => focused(page)).toMatch(`[name=${first!.id}]`);
      await inViewport(page, `#err-${first!.id}`, size);
      // Still on the first step.
      expect(await bar.getAttribute("value")).toBe("1");
      await check(page, size, "2-questions-errors");

      // Answering the first statement clears its error; focus goes to the next unanswered one.
      await page.check(`input[name="${first!.id}"][value="3"]`);
      expect(await page.textContent(`#err-${first!.id}`)).toBe("");
      expect(await page.getAttribute(`input[name="${first!.id}"] >> nth=0`, "aria-invalid")).toBe(
        null,
      );
      await page.click("#next");
      await expect.poll(() => focused(page)).toMatch(`[name=${second!.id}]`);
      await inViewport(page, `#err-${second!.id}`, size);

      await page.check(`input[name="${second!.id}"][value="3"]`);
      await page.check(`input[name="${third!.id}"][value="3"]`);
      await page.click("#next");
      await page.waitForSelector(`h2:text-is("${CATEGORIES[1]!.title}")`);
      expect(await bar.getAttribute("value")).toBe("2");
      // The primary action looks different from the secondary one (step 2 has both).
      const [primary, secondary] = await page.evaluate(() =>
        ["#next", "#back"].map((s) => getComputedStyle(document.querySelector(s)!).backgroundColor),
      );
      expect(primary).not.toBe(secondary);
      expect(primary).not.toMatch(/rgba\(0, 0, 0, 0\)|rgb\(255, 255, 255\)/);
      expect(problems).toEqual([]);
      await close();
    }, 90_000);
  }

  for (const size of Object.keys(SIZES) as Size[]) {
    it(`${size}: completes an audit; the result shows the organization and the category scores; the PDF downloads`, async () => {
      const { page, problems, close } = await open(size);
      // The page saves progress without waiting (PUT /api/wizard): reload only once the save of
      // the last step has been answered, or a slow machine reloads into the previous step.
      const saved = page.waitForResponse(
        (r) =>
          r.url().endsWith("/api/wizard") &&
          r.request().method() === "PUT" &&
          r.request().postDataJSON()?.step === CATEGORIES.length,
      );
      for (const i of CATEGORIES.keys()) await answerCategory(page, i);

      // Reloading keeps the progress (saved through PUT /api/wizard).
      await page.waitForSelector("#organization");
      await saved;
      await page.reload();
      await page.waitForSelector("#organization");

      // Nothing typed: the organization's own message, beside it, and focus on it.
      await page.click("#submit");
      await expect
        .poll(() => page.textContent("#organization-error"))
        .toBe("Enter your organization's name");
      // The page moves focus on the next task, after the messages are set (src/page.ts).
      await expect.poll(() => focused(page)).toMatch("#organization");
      expect(await page.getAttribute("#organization", "aria-invalid")).toBe("true");
      expect(await page.getAttribute("#organization", "aria-describedby")).toContain(
        "organization-error",
      );

      // A malformed email: the message does not repeat the field's name.
      const organization = "Browser Test GmbH — Zürich";
      await page.fill("#organization", organization);
      await page.fill("#email", "person@");
      await page.click("#submit");
      await expect.poll(() => page.textContent("#email-error")).toBe("Enter a valid email address");
      expect(await page.textContent("#organization-error")).toBe("");
      await expect.poll(() => focused(page)).toMatch("#email");
      expect(await page.getAttribute("#email", "aria-invalid")).toBe("true");
      expect(await page.getAttribute("#email", "aria-describedby")).toContain("email-error");
      await inViewport(page, "#email-error", size);
      expect(await page.locator("#result").count()).toBe(0);
      await check(page, size, "3-details-errors");

      await page.fill("#email", "person@browser.example");
      await page.click("#submit");
      await page.waitForSelector("#result");
      const score = Number(await page.textContent("#score"));
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(100);
      expect(await page.textContent("#level")).toMatch(/Not ready|Emerging|Ready|Advanced/);
      expect(await page.locator("#recommendations li").count()).toBeGreaterThan(0);

      // As in the PDF: the organization and each category's score.
      expect(await page.textContent("#result-organization")).toBe(organization);
      const rows = page.locator("#category-scores li");
      expect(await rows.count()).toBe(CATEGORIES.length);
      for (const [i, c] of CATEGORIES.entries()) {
        const row = rows.nth(i);
        expect(await row.locator(".cat-title").textContent()).toBe(c.title);
        expect(await row.locator(".cat-score").textContent()).toBe(`${25 * answerFor(i)} / 100`);
      }

      await page.click("#report");
      const link = page.locator("#download");
      await link.waitFor();
      expect(await link.textContent()).toBe("Download PDF report");
      const href = (await link.getAttribute("href"))!;
      const pdf = await page.request.get(href);
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()["content-type"]).toBe("application/pdf");
      expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
      await check(page, size, "4-result");

      // A reload shows the same result, organization included (read back from the API).
      await page.reload();
      await page.waitForSelector("#result");
      expect(await page.textContent("#result-organization")).toBe(organization);
      expect(await page.locator("#category-scores li").count()).toBe(CATEGORIES.length);

      expect(problems).toEqual([]);
      await close();
    }, 120_000);
  }

  it("phone: the sixth report in an hour keeps the last working link and says why beside it", async () => {
    const size = "phone";
    const { page, problems, close } = await open(size);
    for (const i of CATEGORIES.keys()) await answerCategory(page, i);
    await page.fill("#organization", "Limit Test Ltd");
    await page.click("#submit");
    await page.waitForSelector("#result");

    let href = "";
    for (let n = 1; n <= 5; n++) {
      await page.click("#report");
      await page.waitForFunction((prev) => {
        const a = document.querySelector<HTMLAnchorElement>("#download");
        return !!a && a.href !== prev && !document.querySelector("#report[disabled]");
      }, href);
      href = (await page.getAttribute("#download", "href"))!;
    }
    expect(await page.textContent("#report-error")).toBe("");

    await page.click("#report");
    await expect.poll(() => page.textContent("#report-error")).toMatch(/5 reports an hour/);
    await page.waitForSelector("#report:not([disabled])");
    expect(await page.isVisible("#download")).toBe(true);
    expect(await page.getAttribute("#download", "href")).toBe(href);
    expect((await page.request.get(href)).status()).toBe(200);
    await inViewport(page, "#report-error", size);
    await check(page, size, "5-report-limit");

    // Chromium logs the refused request itself; nothing else may go wrong.
    expect(problems.filter((p) => !/status of 429/.test(p))).toEqual([]);
    await close();
  }, 120_000);
  it("reports Core Web Vitals to POST /api/vitals when the page is hidden, under its CSP", async () => {
    const { page, problems, close } = await open("desktop");
    try {
      await page.click("#next"); // an interaction, and a layout change
      const sent = page.waitForResponse((r) => r.url().endsWith("/api/vitals"));
      await page.evaluate(() => {
        Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
      });
      const res = await sent;
      expect(res.status()).toBe(204);
      const metrics = await (await fetch(dev.base + "/api/metrics")).text();
      for (const name of ["FCP", "TTFB"]) {
        expect(metrics).toMatch(
          new RegExp(`^ara_web_vitals_count\\{metric="${name}",rating="[a-z-]+"\\} [1-9]`, "m"),
        );
      }
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
