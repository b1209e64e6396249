#!/usr/bin/env node
// Vendors the subset of PlanetScale's OpenAPI spec that the database dynamic provider calls, so
// the contract tests run from the repository alone (CI has no network access to PlanetScale).
//
// Usage: node scripts/vendor-planetscale-spec.mjs <path/to/planetscale-openapi-excerpt.json>
// Input: an excerpt of PlanetScale's OpenAPI spec with $refs already resolved. Output: tests/fixtures/planetscale/openapi.json.
//
// The output is deterministic (no timestamps of the run), so re-running it on the same input
// produces no diff. To refresh: download https://planetscale.com/docs/openapi.yaml, resolve $refs
// into an excerpt of the same shape, run this script and re-run `npx vitest run tests/database`.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
if (!process.argv[2]) {
  console.error(
    "Usage: node scripts/vendor-planetscale-spec.mjs <planetscale-openapi-excerpt.json>",
  );
  process.exit(2);
}
const input = resolve(process.argv[2]);
const output = resolve(here, "../tests/fixtures/planetscale/openapi.json");

// Every operation the provider and the database restore drill (recovery/database) may send.
// Adding a call without listing it here makes the fake API answer 404 "no such operation", so
// the contract tests fail.
const OPERATIONS = [
  "get_database",
  "create_database",
  "update_database_settings",
  "delete_database",
  "get_branch",
  "create_branch",
  "update_branch",
  "delete_branch",
  "update_branch_change_request",
  "get_role",
  "create_role",
  "update_role",
  "delete_role",
  "list_backup_policies",
  "get_backup_policy",
  "create_backup_policy",
  "update_backup_policy",
  "delete_backup_policy",
  "list_backups",
];

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Parses "**Service Token Accesses** `a`, `b`" from an operation description. */
function serviceTokenAccesses(description) {
  const match = /Service Token Accesses\*\*([\s\S]*?)(\*\*|$)/.exec(description ?? "");
  if (!match) return [];
  return [...match[1].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
}

const excerpt = JSON.parse(readFileSync(input, "utf8"));
const source = excerpt._source ?? {};
const paths = {};
const found = new Set();
for (const [path, item] of Object.entries(excerpt.paths)) {
  for (const method of METHODS) {
    const op = item[method];
    if (!op || !OPERATIONS.includes(op.operationId)) continue;
    found.add(op.operationId);
    paths[path] ??= {};
    paths[path][method] = {
      ...op,
      "x-service-token-accesses": serviceTokenAccesses(op.description),
    };
  }
}
const missing = OPERATIONS.filter((id) => !found.has(id));
if (missing.length > 0) {
  console.error(`The excerpt lacks operations the provider needs: ${missing.join(", ")}`);
  process.exit(1);
}

const spec = {
  openapi: excerpt.openapi,
  info: excerpt.info,
  servers: excerpt.servers,
  "x-vendored-from": {
    upstreamUrl: source.upstream_url ?? "https://planetscale.com/docs/openapi.yaml",
    repository: source.repo ?? "planetscale/terraform-provider-planetscale",
    path: source.path ?? "schemas/openapi.yaml",
    commit: source.commit ?? "unknown",
    fileLastChangedIn: source.file_last_changed_in_commit ?? "unknown",
    specDate: "2026-08-18",
    note:
      "Subset of operations used by providers/planetscale and recovery/database; $refs resolved. " +
      "Service tokens are not modelled in the spec (it declares only oauth2); " +
      "x-service-token-accesses is parsed from each operation's description. " +
      "Regenerate with scripts/vendor-planetscale-spec.mjs.",
    operations: OPERATIONS,
  },
  paths,
};

// Formatted with the repository's Prettier config, so `npm run lint` accepts the file as written.
const prettier = await import("prettier");
const formatted = await prettier.format(JSON.stringify(spec, null, 2), {
  ...(await prettier.resolveConfig(output)),
  filepath: output,
});
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, formatted);
console.log(`Wrote ${OPERATIONS.length} operations to ${output}`);
