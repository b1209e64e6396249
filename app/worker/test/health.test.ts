import { Miniflare } from "miniflare";
import { afterEach, describe, expect, it } from "vitest";
import contract from "../contract.json";
import { expectError } from "./helpers/assert";
import {
  auth,
  DIST_INDEX,
  ORIGIN,
  signerBindings,
  signerLogs,
  startSigner,
} from "./helpers/signer";

let mf: Miniflare | undefined;
afterEach(async () => {
  await mf?.dispose();
  mf = undefined;
  signerLogs.clear();
});

async function expectUnavailable(res: Response | Awaited<ReturnType<Miniflare["dispatchFetch"]>>) {
  expect(res.status).toBe(503);
  const body = (await res.json()) as Record<string, string>;
  expect(body.status).toBe("unavailable");
  expect(body.error).toBe("bucket_unavailable");
  expect(body.message?.length).toBeGreaterThan(10);
}

describe("GET /r2/health", () => {
  it("answers 503 when the worker has no REPORTS binding", async () => {
    mf = startSigner({ r2Buckets: [] });
    await expectUnavailable(await mf.dispatchFetch(`${ORIGIN}/r2/health`));
    const dl = await mf.dispatchFetch(`${ORIGIN}/r2/download?key=a`, { headers: auth });
    await expectError(dl, 503, "bucket_unavailable");
    await signerLogs.expectLogged({
      level: "error",
      msg: "health check failed",
      error: /REPORTS R2 binding is missing/,
    });
  });

  it("answers 503 when R2 calls fail, and recovers when they succeed", async () => {
    // The binding is served by a second worker whose R2 calls fail while FAIL is set: the
    // signer sees a thrown R2 call, as during an R2 incident.
    const failing = (fail: boolean) =>
      ({
        workers: [
          {
            name: "signer",
            modules: true,
            scriptPath: DIST_INDEX,
            compatibilityDate: contract.compatibilityDate,
            bindings: signerBindings(),
            wrappedBindings: {
              [contract.bindings.bucket]: { scriptName: "flaky-r2", bindings: { FAIL: fail } },
            },
          },
          {
            name: "flaky-r2",
            modules: true,
            r2Buckets: ["INNER"],
            script: `export default function ({ INNER, FAIL }) {
              const guard = (op) => (...args) => {
                if (FAIL) throw new Error("R2 internal error (simulated outage)");
                return INNER[op](...args);
              };
              return { head: guard("head"), get: guard("get"), put: guard("put"), delete: guard("delete"), list: guard("list") };
            }`,
          },
        ],
        host: "127.0.0.1",
        port: 0,
        handleStructuredLogs: signerLogs.handleStructuredLogs,
      }) as ConstructorParameters<typeof Miniflare>[0];

    mf = new Miniflare(failing(true));
    await expectUnavailable(await mf.dispatchFetch(`${ORIGIN}/r2/health`));
    const dl = await mf.dispatchFetch(`${ORIGIN}/r2/download?key=a`, { headers: auth });
    await expectError(dl, 503, "bucket_unavailable");
    const del = await mf.dispatchFetch(`${ORIGIN}/r2/delete?key=a`, {
      method: "DELETE",
      headers: auth,
    });
    await expectError(del, 503, "bucket_unavailable");
    const outage = /R2 internal error \(simulated outage\)/;
    await signerLogs.expectLogged({ msg: "health check failed", error: outage });
    await signerLogs.expectLogged({ msg: "R2 head failed", error: outage }, 2);

    await mf.setOptions(failing(false));
    const ok = await mf.dispatchFetch(`${ORIGIN}/r2/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "ok" });
  });

  it("needs no secrets", async () => {
    mf = startSigner({ bindings: {} });
    const res = await mf.dispatchFetch(`${ORIGIN}/r2/health`);
    expect(res.status).toBe(200);
  });
});
