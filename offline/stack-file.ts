import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";

/** A stack settings file turned into what Pulumi's language host passes to a program. */
export interface StackFileConfig {
  /** Flattened config: `ara:database` → JSON text, `ara:domain` → plain text. */
  config: Record<string, string>;
  /** Keys whose values are encrypted (`secure:`) in the file. */
  secretKeys: string[];
}

/** The file is not a readable stack settings file. The message names the file and the line. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

/**
 * Reads a `Pulumi.<stack>.yaml` the way the Pulumi CLI hands it to a program: top-level
 * `config` keys keep their `namespace:key` form, strings stay strings, structured values
 * become JSON text. Encrypted values cannot be decrypted offline, so they become an opaque
 * stand-in and are listed as secret.
 */
export function readStackFile(path: string, project: string): StackFileConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new StackFileError(`Cannot read ${path}: the file does not exist or is not readable.`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const where = first.linePos?.[0]
      ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}`
      : "";
    throw new StackFileError(
      `${path} is not valid YAML${where}: ${first.message.split("\n")[0]}. Fix the file's syntax (a stack file is a YAML map with a top-level "config:" key).`,
    );
  }
  const root: unknown = doc.toJS();
  if (root === null || root === undefined) return { config: {}, secretKeys: [] };
  if (typeof root !== "object" || Array.isArray(root)) {
    throw new StackFileError(`${path} must be a YAML map with a top-level "config:" key.`);
  }
  const raw = (root as Record<string, unknown>).config ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new StackFileError(`${path}: "config" must be a map of "namespace:key: value" entries.`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    // A bare key belongs to the project namespace, exactly as the CLI treats it.
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    if (isSecure(value)) {
      secretKeys.push(fullKey);
      config[fullKey] = "encrypted-value-not-decryptable-offline";
    } else if (typeof value === "string") {
      config[fullKey] = value;
    } else {
      config[fullKey] = JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

function isSecure(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as Record<string, unknown>).secure === "string"
  );
}
