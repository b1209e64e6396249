import { planetScaleKind } from "../../lib/types";
import { planetscale } from "../catalog";
import { rate, split, usd } from "../format";
import type { Ledger } from "../ledger";
import type { CostResource } from "../types";
import { numberProp, stringProp } from "./props";

const SERVICE = "PlanetScale";

/** PlanetScale Postgres: clusters by size and replicas, storage above the included GB, branches. */
export function pricePlanetScale(ledger: Ledger): void {
  const databases = ledger.ofType((t) => planetScaleKind(t) === "Database");
  for (const r of databases) priceDatabase(ledger, r, databases.length);
  for (const r of ledger.ofType((t) => planetScaleKind(t) === "Branch")) priceBranch(ledger, r);
}

function priceDatabase(ledger: Ledger, r: CostResource, databases: number): void {
  const sku = stringProp(r.props.clusterSize);
  const replicas = numberProp(r.props.replicas) ?? 0;
  const price = sku ? planetscale.postgres.skus[sku] : undefined;
  if (!sku || !price) {
    ledger.markUnpriced(
      r,
      `no price for cluster size ${sku ?? "(unset)"}; add it to policies/cost/catalog.ts (planetscale.postgres.skus) from planetscale.com/docs/postgres/pricing`,
    );
    return;
  }
  const region = stringProp(r.props.region) ?? planetscale.postgres.region;
  const where =
    region === planetscale.postgres.region
      ? ""
      : `; us-east-1 list price, region ${region} may differ`;
  if (replicas < 2) {
    ledger.add(r, SERVICE, `Postgres ${sku}, single node`, {
      monthly: price.singleNode,
      basis: `${usd(price.singleNode)}/month (replicas ${replicas})${where}`,
    });
  } else {
    ledger.add(r, SERVICE, `Postgres ${sku}, HA (primary + 2 replicas)`, {
      monthly: price.highAvailability,
      basis: `${usd(price.highAvailability)}/month for 3 nodes${where}`,
    });
    const extra = replicas - 2;
    if (extra > 0) {
      const each = price.highAvailability * planetscale.extraReplicaShareOfHa.quantity;
      ledger.add(r, SERVICE, `${extra} extra replica${extra > 1 ? "s" : ""}`, {
        monthly: extra * each,
        basis: `${extra} × ${usd(price.highAvailability)} / 3 (≈ a third of the HA price each)`,
      });
    }
  }
  const gb = split(ledger.usage.databaseStorageGb, databases);
  ledger.add(r, SERVICE, "storage", ledger.meter(planetscale.storage, gb));
  const small = /^PS_5_/.test(sku) && replicas < 2;
  const egress = small
    ? {
        ...planetscale.egress,
        included: { ...planetscale.egress.included, ...planetscale.smallEgressIncludedGb },
      }
    : planetscale.egress;
  const out = split(ledger.usage.databaseEgressGbPerMonth, databases);
  ledger.add(r, SERVICE, "egress", ledger.meter(egress, out));
}

function priceBranch(ledger: Ledger, r: CostResource): void {
  const name = stringProp(r.props.name);
  const sku = stringProp(r.props.clusterSize);
  const isDefault = name === "main" && stringProp(r.props.parentBranch) === undefined;
  if (isDefault && !sku) {
    ledger.markFree(r, "the database's own branch, in the cluster price");
    return;
  }
  if (!sku || /^PS_DEV_/.test(sku)) {
    ledger.add(r, SERVICE, `branch '${name ?? r.name}' (PS-DEV)`, {
      monthly: planetscale.devBranch.usd,
      basis: `${rate(planetscale.devBranch.usd)}/month per development branch${sku ? "" : " (no clusterSize: priced as PS-DEV)"}`,
    });
    return;
  }
  const price = planetscale.postgres.skus[sku];
  if (!price) {
    ledger.markUnpriced(
      r,
      `no price for branch cluster size ${sku}; add it to policies/cost/catalog.ts`,
    );
    return;
  }
  const replicas = numberProp(r.props.replicas) ?? 0;
  const monthly = replicas >= 2 ? price.highAvailability : price.singleNode;
  ledger.add(r, SERVICE, `branch '${name ?? r.name}' ${sku}`, {
    monthly,
    basis: `${usd(monthly)}/month (${replicas >= 2 ? "HA" : "single node"}; extra production branches are billed at the cluster price)`,
  });
}
