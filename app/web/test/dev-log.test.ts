import { describe, expect, it } from "vitest";
import { devLogFormat, formatLine, prettyDestination } from "../src/local/dev-log";
import { createLogger } from "../src/logger";

describe("npm run dev log format", () => {
  it("is readable on a terminal and JSON otherwise, unless ARA_DEV_LOG says", () => {
    expect(devLogFormat({}, true)).toBe("pretty");
    expect(devLogFormat({}, false)).toBe("json");
    expect(devLogFormat({ ARA_DEV_LOG: "json" }, true)).toBe("json");
    expect(devLogFormat({ ARA_DEV_LOG: "pretty" }, false)).toBe("pretty");
    expect(() => devLogFormat({ ARA_DEV_LOG: "yes" }, true)).toThrow(/"pretty" or "json"/);
  });

  it("prints the app's own pino lines as time, message and fields", () => {
    const lines: string[] = [];
    const logger = createLogger("info", prettyDestination({ write: (s) => lines.push(s) }, false));
    logger.info("ready: open http://127.0.0.1:3000/");
    logger.info({ migration: 1, name: "create_audits" }, "applied migration");
    logger.info(
      {
        request_id: "r1",
        trace_id: "t1",
        span_id: "s1",
        method: "POST",
        route: "/api/audits",
        status: 201,
        ms: 18,
      },
      "request",
    );
    logger.warn(
      { err: new Error("connect ECONNREFUSED 127.0.0.1:6379") },
      "redis connection error",
    );
    logger.info({ token: "secret-value" }, "redaction still applies");
    expect(lines).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d {2}ready: open http:\/\/127\.0\.0\.1:3000\/\n$/),
      expect.stringMatching(/ {2}applied migration {2}migration=1 name=create_audits\n$/),
      expect.stringMatching(/ {2}POST \/api\/audits 201 18 ms\n$/),
      expect.stringMatching(
        / {2}WARN {2}redis connection error {2}Error: connect ECONNREFUSED 127\.0\.0\.1:6379\n$/,
      ),
      expect.stringMatching(/ {2}redaction still applies {2}token=\[redacted\]\n$/),
    ]);
  });

  it("colours only when asked, and passes through what is not a JSON object", () => {
    const line = JSON.stringify({ level: "error", time: 0, msg: "boom" });
    expect(formatLine(line, true)).toContain("\x1b[31mERROR\x1b[0m");
    expect(formatLine(line, false)).not.toContain("\x1b[");
    expect(formatLine("plain text", false)).toBe("plain text");
    expect(formatLine("[1,2]", false)).toBe("[1,2]");
  });
});
