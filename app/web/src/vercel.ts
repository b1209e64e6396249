import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { waitUntil } from "@vercel/functions";
import { loadConfig } from "./config";
import { createRuntime } from "./runtime";
import { flushScheduler } from "./telemetry/flush";

// Vercel Node.js function entry (.vercel/output/functions/api.func/index.mjs). The runtime is
// created once per instance and reused across invocations; migrations run on first use.
const runtime = createRuntime(loadConfig(), { platform: "vercel" });
const listener = getRequestListener(runtime.app.fetch);
const { telemetry } = runtime.deps;
const { logArchive } = runtime;

// An instance is frozen as soon as its invocation ends, so metrics, spans and log lines
// recorded while answering would wait for the next invocation (or be lost with the instance).
// Each invocation therefore hands waitUntil the promise of its round of requests, which keeps
// the instance alive for a flush that starts once the round's responses are sent, without
// delaying any of them (telemetry/flush.ts). Each export then gives up after
// OTEL_EXPORTER_OTLP_TIMEOUT; the log archive sends its batch on the same path when it is due
// (size or age). Outside Vercel (no request context) waitUntil is a no-op and the flush simply
// runs.
const afterResponses =
  telemetry.exporting || logArchive
    ? flushScheduler(() =>
        Promise.all([telemetry.exporting && telemetry.flush(), logArchive?.flushIfDue()]).then(
          () => undefined,
        ),
      )
    : undefined;

export default function handler(req: IncomingMessage, res: ServerResponse) {
  if (afterResponses) {
    const round = afterResponses.join();
    res.once("close", round.end);
    waitUntil(round.done);
  }
  return listener(req, res);
}
