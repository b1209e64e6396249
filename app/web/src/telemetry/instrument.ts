import {
  context,
  SpanKind,
  type Context,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import type pg from "pg";
import type { Redis } from "../redis";

// Client spans for PostgreSQL and Redis, made by wrapping the two instances the app uses.
// The OpenTelemetry auto-instrumentations patch modules as they are require()d, which never
// happens in the esbuild bundles the app ships (dist/server.js, the Vercel function), so they
// would silently do nothing there. Spans are made only inside a request whose trace is
// recorded (a sampled parent span): health probes from the metrics callbacks and reconnects
// stay out of traces, and the unsampled majority of requests skip the span entirely (nothing
// would read its id: unlike the signer's span, it is never propagated or logged).
// Statement parameters and Redis arguments are never recorded: they carry emails and tokens.

function endWith(span: Span, err?: unknown) {
  if (err !== undefined) {
    const code = (err as { code?: unknown }).code;
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute("error.type", typeof code === "string" ? code : "Error");
  }
  span.end();
}

type QueryArg = string | { name?: string; text: string };

function operationOf(q: QueryArg): { operation: string; summary: string } {
  const text = typeof q === "string" ? q : q.text;
  const operation = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? "QUERY";
  const summary = typeof q === "object" && q.name ? q.name : operation;
  return { operation, summary };
}

export function instrumentPool(pool: pg.Pool, tracer: Tracer): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { query: unknown }).query = (...args: unknown[]) => {
    const parent = context.active();
    // Callback-style calls are left alone: the app only uses the promise form.
    if (!trace.getSpan(parent)?.isRecording() || typeof args[args.length - 1] === "function") {
      return query(...args);
    }
    const { operation, summary } = operationOf(args[0] as QueryArg);
    const span = tracer.startSpan(
      `pg ${summary}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "db.system.name": "postgresql",
          "db.operation.name": operation,
          "db.query.summary": summary,
        },
      },
      parent,
    );
    const result = context.with(trace.setSpan(parent, span), () =>
      query(...args),
    ) as Promise<unknown>;
    return result.then(
      (r) => {
        endWith(span);
        return r;
      },
      (err: unknown) => {
        endWith(span, err);
        throw err;
      },
    );
  };
}

export function instrumentRedis(redis: Redis, tracer: Tracer): void {
  // With auto-pipelining (src/redis.ts) a command is queued in its caller's context but sent
  // in the context of the command that opened the pipeline, often another request's: each
  // queued command's own context is kept here, or its span would join the wrong trace (or,
  // behind an unsampled request, none).
  const queuedIn = new WeakMap<object, Context>();
  type Queued = Parameters<Redis["sendCommand"]>[0];
  const pipeline = redis.pipeline.bind(redis);
  redis.pipeline = ((...args: Parameters<Redis["pipeline"]>) => {
    // ioredis's Pipeline has sendCommand; its ChainableCommander type does not say so.
    const p = pipeline(...args) as ReturnType<Redis["pipeline"]> & {
      sendCommand(command: Queued): unknown;
    };
    const queue = p.sendCommand.bind(p);
    p.sendCommand = (command) => {
      queuedIn.set(command, context.active());
      return queue(command);
    };
    return p;
  }) as Redis["pipeline"];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    const parent = queuedIn.get(command) ?? context.active();
    if (!trace.getSpan(parent)?.isRecording()) return send(command, stream);
    const name = command.name.toUpperCase();
    const span = tracer.startSpan(
      `redis ${name}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { "db.system.name": "redis", "db.operation.name": name },
      },
      parent,
    );
    const out = send(command, stream);
    command.promise.then(
      () => endWith(span),
      (err: unknown) => endWith(span, err),
    );
    return out;
  };
}
