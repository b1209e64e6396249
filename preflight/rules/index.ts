import type { TypeEntry } from "../rule";
import { aws } from "./aws";
import { cloudflare } from "./cloudflare";
import { observability } from "./observability";
import { oncall } from "./oncall";
import { planetscale } from "./planetscale";
import { pulumi } from "./pulumi";
import { upstash } from "./upstash";
import { vercel } from "./vercel";

/**
 * The provider rule table: one entry per resource type the program may create. A type that is
 * missing is reported by the preflight, so a new tier cannot slip in unchecked.
 */
export const TABLE: Readonly<Record<string, TypeEntry>> = Object.freeze({
  ...pulumi,
  ...cloudflare,
  ...vercel,
  ...upstash,
  ...aws,
  ...planetscale,
  ...observability,
  ...oncall,
});
