import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES } from "../src/questionnaire";
import { startDevServer, type DevServer } from "./harness/dev";

const CHROMIUM = "/usr/bin/chromium";

// A person's path through `npm run dev`: open the page, answer the questionnaire, see the
// result and download the PDF. Uses Debian's chromium (no browser download).
describe("the wizard page in a real browser", () => {
  let dev: DevServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing; install it: \`apt-get install -y chromium\``);
    }
    [dev, browser] = await Promise.all([
      startDevServer({ ARA_DEV_MEMORY: "1" }),
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
  });

  it("completes an audit, shows the result and offers a working PDF download", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(dev.base + "/");
    await page.waitForSelector("#next");

    // Trying to skip ahead without answering is refused.
    await page.click("#next");
    await expect.poll(() => page.textContent("#error")).toContain("Answer every statement");

    for (const [i, category] of CATEGORIES.entries()) {
      await page.waitForSelector(`text=${category.title}`);
      for (const q of category.questions) {
        await page.check(`input[name="${q.id}"][value="${(i + 2) % 5}"]`);
      }
      await page.click("#next");
    }
    // Reloading keeps the progress (saved through PUT /api/wizard).
    await page.waitForSelector("#organization");
    await page.reload();
    await page.waitForSelector("#organization");

    await page.fill("#organization", "Browser Test GmbH");
    await page.fill("#email", "person@browser.example");
    await page.click("#submit");
    await page.waitForSelector("#result");
    const score = Number(await page.textContent("#score"));
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(100);
    expect(await page.textContent("#level")).toMatch(/Not ready|Emerging|Ready|Advanced/);
    expect(await page.locator("#recommendations li").count()).toBeGreaterThan(0);

    await page.click("#report");
    const link = page.locator("#download");
    await link.waitFor();
    expect(await link.textContent()).toBe("Download PDF report");
    const href = (await link.getAttribute("href"))!;
    const pdf = await page.request.get(href);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");

    expect(problems).toEqual([]);
    await page.screenshot({ path: "/tmp/ara-wizard-result.png", fullPage: true });
  });
});
