import { expect } from "vitest";

/** One line the worker logged: src/ writes JSON objects with `level` and `msg`. */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/**
 * What a worker writes with console.* under Miniflare. Many tests fail on purpose, and their
 * error lines printed among the results read like real failures, so they are kept here, where
 * the tests that cause them assert on them. Output that is not one of the worker's JSON lines
 * is unexpected and still goes to stderr.
 */
export class WorkerLogs {
  readonly lines: LogLine[] = [];

  /** Miniflare's option: workerd's console output arrives here instead of on the terminal. */
  readonly handleStructuredLogs = (log: { level: string; message: string }): void => {
    try {
      const parsed: unknown = JSON.parse(log.message);
      if (parsed && typeof parsed === "object" && typeof (parsed as LogLine).msg === "string") {
        this.lines.push(parsed as LogLine);
        return;
      }
    } catch {
      // not one of ours: shown below
    }
    process.stderr.write(`[worker ${log.level}] ${log.message}\n`);
  };

  clear(): void {
    this.lines.length = 0;
  }

  /**
   * Waits for lines matching `expected` (workerd's output arrives on a pipe, possibly after the
   * response) and returns them.
   */
  async expectLogged(expected: Partial<LogLine>, count = 1, timeoutMs = 5000): Promise<LogLine[]> {
    const matches = () => this.lines.filter((l) => matchesObject(l, expected));
    const deadline = Date.now() + timeoutMs;
    while (matches().length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(
      matches(),
      `log lines matching ${JSON.stringify(expected, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v))} in\n${this.dump()}`,
    ).toHaveLength(count);
    return matches();
  }

  dump(): string {
    return this.lines.map((l) => JSON.stringify(l)).join("\n");
  }
}

function matchesObject(line: LogLine, expected: Partial<LogLine>): boolean {
  return Object.entries(expected).every(([k, v]) =>
    v instanceof RegExp ? typeof line[k] === "string" && v.test(line[k] as string) : line[k] === v,
  );
}
