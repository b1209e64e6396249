import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { waitUntil } from "@vercel/functions";
import { loadConfig } from "./config";
import { createRuntime } from "./runtime";

// Vercel Node.js function entry (.vercel/output/functions/api.func/index.mjs). The runtime is
// created once per instance and reused across invocations; migrations run on first use.
const runtime = createRuntime(loadConfig(), { platform: "vercel" });
const listener = getRequestListener(runtime.app.fetch);

// An instance is frozen as soon as its invocation ends, so metrics and spans recorded while
// answering would wait for the next invocation (or be lost with the instance). Each invocation
// therefore flushes them once its response is sent, inside waitUntil, which keeps the instance
// alive for the flush without delaying the response. The flush gives up after
// OTEL_EXPORTER_OTLP_TIMEOUT; outside Vercel (no request context) waitUntil is a no-op and the
// flush simply runs.
export default function handler(req: IncomingMessage, res: ServerResponse) {
  const { telemetry } = runtime.deps;
  if (telemetry.exporting) {
    const sent = new Promise<void>((resolve) => res.once("close", resolve));
    waitUntil(sent.then(() => telemetry.flush()));
  }
  return listener(req, res);
}
