import { describe, it } from "vitest";
import {
  expectViolation,
  find,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "https-only-urls";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails on an http:// signer URL", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "app-env-signer-url", { value: "http://api.ara.example/r2" }),
    });
    expectViolation(result);
  });

  it("fails on a signer URL without a scheme", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "app-env-signer-url", { value: "api.ara.example/r2" }),
    });
    expectViolation(result, { message: /must be an https:\/\/ URL/ });
  });

  it("fails on an HTTP health check", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "monitoring-check-app", { type: "HTTP" }),
    });
    expectViolation(result);
  });

  it("fails on a plain-HTTP CORS origin", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        setProps(g, "storage-cors", {
          rules: [{ allowed: { origins: ["http://app.ara.example"], methods: ["GET"] } }],
        }),
    });
    expectViolation(result);
  });

  it("fails on a plain-HTTP URL in a worker variable", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        (find(g, "worker-script").props.bindings as object[]).push({
          type: "plain_text",
          name: "APP_ORIGIN",
          text: "http://app.ara.example",
        }),
    });
    expectViolation(result, { message: /binding APP_ORIGIN is a plain http:\/\/ URL/ });
  });
});
