import { context, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { z } from "zod";
import { propagationHeaders } from "./telemetry/context";

// Client for the signed-URL worker (app/worker). The contract is fixed: see docs/app.md.

const uploadSchema = z.object({
  key: z.string().min(1),
  url: z.string().url(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()).default({}),
  expiresAt: z.string().min(1),
});
const downloadSchema = z.object({
  key: z.string().min(1),
  url: z.string().url(),
  method: z.literal("GET"),
  expiresAt: z.string().min(1),
});
export type SignedUpload = z.infer<typeof uploadSchema>;
export type SignedDownload = z.infer<typeof downloadSchema>;

export class SignerError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "SignerError";
  }
}

export class SignerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 5000,
    private readonly tracer?: Tracer,
  ) {}

  // A client span per call to the worker, whose traceparent and x-request-id travel with the
  // call so the worker's log line names the same trace and request as the app's.
  private async traced<T>(
    name: string,
    fn: (headers: Record<string, string>) => Promise<T>,
  ): Promise<T> {
    const parent = context.active();
    if (!this.tracer || !trace.getSpan(parent)) return fn(propagationHeaders(parent));
    const span = this.tracer.startSpan(
      `signer ${name}`,
      { kind: SpanKind.CLIENT, attributes: { "peer.service": "ara-signer" } },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    try {
      const out = await context.with(ctx, () => fn(propagationHeaders(ctx)));
      return out;
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      const status = (err as { status?: unknown }).status;
      if (typeof status === "number") span.setAttribute("http.response.status_code", status);
      throw err;
    } finally {
      span.end();
    }
  }

  private async call(
    path: string,
    init: RequestInit,
    auth: boolean,
    propagated: Record<string, string>,
  ): Promise<Response> {
    try {
      return await fetch(this.baseUrl + path, {
        ...init,
        headers: {
          ...propagated,
          ...(init.headers as Record<string, string> | undefined),
          ...(auth ? { authorization: `Bearer ${this.token}` } : {}),
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const reason =
        err instanceof Error && err.name === "TimeoutError" ? "timed out" : "unreachable";
      throw new SignerError(`signer ${reason} at ${path}`);
    }
  }

  private async parse<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    if (!res.ok) {
      const detail = (await res.json().catch(() => null)) as { error?: unknown } | null;
      const code = typeof detail?.error === "string" ? ` (${detail.error})` : "";
      throw new SignerError(`signer ${what} returned ${res.status}${code}`, res.status);
    }
    const parsed = schema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new SignerError(`signer ${what} returned an unexpected body`);
    return parsed.data;
  }

  async signUpload(input: { contentType: string; contentLength: number; key?: string }) {
    return this.traced("POST /r2/upload", async (propagated) => {
      const res = await this.call(
        "/r2/upload",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(input),
        },
        true,
        propagated,
      );
      return this.parse(res, uploadSchema, "upload");
    });
  }

  async put(
    upload: SignedUpload,
    contentType: string,
    body: Uint8Array<ArrayBuffer>,
  ): Promise<void> {
    return this.traced("PUT /r2/object", (propagated) =>
      this.putSigned(upload, contentType, body, propagated),
    );
  }

  private async putSigned(
    upload: SignedUpload,
    contentType: string,
    body: Uint8Array<ArrayBuffer>,
    propagated: Record<string, string>,
  ): Promise<void> {
    let res: Response;
    try {
      // fetch sets Content-Length from the byte array, so the length is exact.
      // Headers, not an object spread: "Content-Type" from the signer and our "content-type"
      // would otherwise be sent as one combined (and so mismatching) value.
      // The signature covers the method and URL only, so the trace headers may ride along.
      const headers = new Headers(propagated);
      for (const [k, v] of Object.entries(upload.headers)) headers.set(k, v);
      headers.set("content-type", contentType);
      res = await fetch(upload.url, {
        method: "PUT",
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs * 2),
      });
    } catch {
      throw new SignerError("upload to the signed URL failed (unreachable or timed out)");
    }
    const detail = (await res.json().catch(() => null)) as { error?: unknown } | null;
    if (!res.ok) {
      const code = typeof detail?.error === "string" ? ` (${detail.error})` : "";
      throw new SignerError(`upload to the signed URL returned ${res.status}${code}`, res.status);
    }
  }

  async signDownload(key: string) {
    return this.traced("GET /r2/download", async (propagated) => {
      const res = await this.call(
        `/r2/download?key=${encodeURIComponent(key)}`,
        { method: "GET" },
        true,
        propagated,
      );
      return this.parse(res, downloadSchema, "download");
    });
  }

  async health(): Promise<boolean> {
    return this.traced("GET /r2/health", async (propagated) => {
      try {
        const res = await fetch(this.baseUrl + "/r2/health", {
          headers: propagated,
          signal: AbortSignal.timeout(2000),
        });
        const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
        return res.status === 200 && body?.status === "ok";
      } catch {
        return false;
      }
    });
  }
}
