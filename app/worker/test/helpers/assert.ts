import { expect } from "vitest";

interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/** Asserts the contract's error shape: the status, JSON, `{ error: code, message }`. */
export async function expectError(res: ResponseLike, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as { error?: unknown; message?: unknown };
  expect(typeof body.error).toBe("string");
  expect(typeof body.message).toBe("string");
  expect((body.message as string).length).toBeGreaterThan(10);
  if (code !== undefined) expect(body.error).toBe(code);
  return body as { error: string; message: string };
}

/** Byte equality without vitest's element-by-element diff, which takes seconds on large arrays. */
export function expectBytes(actual: Uint8Array | null | undefined, expected: Uint8Array) {
  expect(actual, "no bytes").toBeInstanceOf(Uint8Array);
  const a = Buffer.from(actual!.buffer, actual!.byteOffset, actual!.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (!a.equals(e)) {
    let i = 0;
    while (i < Math.min(a.length, e.length) && a[i] === e[i]) i++;
    expect.fail(`bytes differ: lengths ${a.length} vs ${e.length}, first difference at ${i}`);
  }
}
