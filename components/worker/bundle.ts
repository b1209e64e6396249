import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";

/** The project root: Pulumi runs the program (and its providers) from here. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** A built Worker module as the provider takes it: a path and the hash that drives updates. */
export interface Bundle {
  /** Path relative to the project root, so state is the same on every machine. */
  contentFile: string;
  /** SHA-256 (hex) of the file's bytes when the program ran. */
  contentSha256: string;
}

/**
 * Reads a built bundle at program time. The provider uploads `contentFile` but only diffs
 * `contentSha256`, so hashing here is what makes a code change appear in the preview.
 */
export function readBundle(relativePath: string, root: string = PROJECT_ROOT): Bundle {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path.resolve(root, relativePath));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(
        `The worker bundle ${relativePath} does not exist. Build it first with ` +
          "`npm run build` (or `npm run build -w app/worker`), then run the preview again.",
      );
    }
    throw err;
  }
  return {
    contentFile: relativePath,
    contentSha256: createHash("sha256").update(bytes).digest("hex"),
  };
}
