import type { IncomingMessage } from "node:http";
import type { Context } from "hono";

/** The body exceeded the limit; nothing was parsed. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body must be at most ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** The client went away before sending the whole body; there is nobody left to answer. */
export class ClientAbortedError extends Error {
  constructor(cause?: Error) {
    super("The client closed the connection before sending the whole body", { cause });
    this.name = "ClientAbortedError";
  }
}

type NodeBindings = { incoming?: IncomingMessage & { rawBody?: unknown } } | undefined;

/** Throws BodyTooLargeError when the request declares a Content-Length over `maxBytes`. */
export function refuseDeclaredOver(c: Context, maxBytes: number): void {
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > maxBytes) throw new BodyTooLargeError(maxBytes);
}

/**
 * Reads a request body of at most `maxBytes`, whether or not it declares a Content-Length.
 *
 * On @hono/node-server (the Node server and the Vercel function alike) it reads the Node
 * stream directly: going through `c.req.raw` there first builds a complete web Request (an
 * AbortController, a ReadableStream over the socket, a copy of every header), which measured
 * about a sixth of the app's CPU per POST under load. Anywhere else (`app.request()` in a test,
 * another runtime) it reads the web body with the same limit.
 */
export async function readBody(c: Context, maxBytes: number): Promise<Buffer> {
  refuseDeclaredOver(c, maxBytes);
  const incoming = (c.env as NodeBindings)?.incoming;
  if (incoming && typeof incoming.on === "function") {
    // Some hosts hand over the body already buffered (node-server honours the same field).
    if (Buffer.isBuffer(incoming.rawBody)) {
      if (incoming.rawBody.length > maxBytes) throw new BodyTooLargeError(maxBytes);
      return incoming.rawBody;
    }
    if (!incoming.readableDidRead) return readNodeStream(incoming, maxBytes);
  }
  return readWebStream(c.req.raw.body, maxBytes);
}

function readNodeStream(incoming: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
      incoming.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Stop buffering; Node discards the rest, and the 413 closes the connection.
        incoming.resume();
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    // Node reports a client that disconnects mid-body as an "aborted" error, or only as a
    // close; either way nobody is left to answer, and the handler must not wait forever.
    const onError = (err?: Error) => {
      cleanup();
      reject(new ClientAbortedError(err));
    };
    const onClose = () => onError();
    incoming.on("data", onData);
    incoming.once("end", onEnd);
    incoming.once("error", onError);
    incoming.once("close", onClose);
  });
}

async function readWebStream(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
