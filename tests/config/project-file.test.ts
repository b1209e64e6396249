import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../../offline/engine";
import { IDENTITY_KEYS } from "../../stacks/load";

// The Pulumi CLI reads Pulumi.yaml before any program code runs: it must parse, and its
// declared keys must be exactly the ones every stack file sets.
describe("Pulumi.yaml", () => {
  const project = parse(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));

  it("names the project ara, on the Node.js runtime with TypeScript, entry infra/index.ts", () => {
    expect(project).toMatchObject({
      name: "ara",
      runtime: { name: "nodejs", options: { typescript: true } },
      main: "infra/index.ts",
    });
  });

  it("declares the identity keys, typed and described", () => {
    expect(Object.keys(project.config).sort()).toEqual(IDENTITY_KEYS.map((k) => `ara:${k}`).sort());
    for (const [key, decl] of Object.entries<any>(project.config)) {
      expect(decl.type, key).toBe("string");
      expect(decl.description, key).toMatch(/\w.{20,}/);
      expect(decl.default, `${key} has no default: every stack must set it`).toBeUndefined();
    }
  });

  it.each(["dev", "staging", "prod"])("is satisfied by Pulumi.%s.yaml", (stack) => {
    const file = parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    for (const key of Object.keys(project.config))
      expect(typeof file.config[key], `${stack}: ${key}`).toBe("string");
  });
});

// package.json says MIT for the root and every workspace; the LICENSE file must say the same,
// or the declared license has no text behind it.
describe("LICENSE", () => {
  it("holds the MIT license that every package.json declares", () => {
    const text = readFileSync(path.join(ROOT, "LICENSE"), "utf8");
    expect(text).toMatch(/^MIT License\n/);
    expect(text).toContain("Permission is hereby granted, free of charge");
    for (const pkg of [
      "package.json",
      "app/web/package.json",
      "app/worker/package.json",
      "policies/package.json",
    ]) {
      const license = JSON.parse(readFileSync(path.join(ROOT, pkg), "utf8")).license;
      expect(license, pkg).toBe("MIT");
    }
  });
});
