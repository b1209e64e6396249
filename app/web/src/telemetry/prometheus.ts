import {
  DataPointType,
  type DataPoint,
  type Histogram,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import contract from "../../telemetry.json";

// The Prometheus text format (0.0.4) of the app's instruments, named as telemetry.json names
// them. The OpenTelemetry Prometheus serializer would drop the unit suffixes that Grafana
// Cloud's OTLP ingestion adds (ara_http_server_duration instead of
// ara_http_server_duration_seconds), so /api/metrics and Grafana would disagree; naming from
// the contract keeps one set of series names for both.

const SERIES = new Map<string, string>(
  Object.values(contract.instruments).map((i) => [i.name, i.series]),
);

/** The series telemetry.json gives an instrument, else Prometheus' own sanitising. */
export function seriesName(instrument: string): string {
  return SERIES.get(instrument) ?? instrument.replace(/[^a-zA-Z0-9_:]/g, "_");
}

const escapeLabel = (v: string) =>
  v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function num(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function labels(attrs: Record<string, unknown>, extra?: [string, string]): string {
  const parts = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.replace(/[^a-zA-Z0-9_]/g, "_")}="${escapeLabel(String(v))}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

export function serialize(rm: ResourceMetrics): string {
  const out: string[] = [];
  for (const scope of rm.scopeMetrics) {
    for (const metric of scope.metrics) {
      const name = seriesName(metric.descriptor.name);
      const type =
        metric.dataPointType === DataPointType.HISTOGRAM
          ? "histogram"
          : metric.dataPointType === DataPointType.SUM && metric.isMonotonic
            ? "counter"
            : "gauge";
      if (metric.dataPoints.length === 0) continue;
      out.push(`# HELP ${name} ${escapeHelp(metric.descriptor.description || name)}`);
      out.push(`# TYPE ${name} ${type}`);
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        for (const dp of metric.dataPoints as DataPoint<Histogram>[]) {
          const { boundaries, counts } = dp.value.buckets;
          let cumulative = 0;
          for (let i = 0; i < counts.length; i++) {
            cumulative += counts[i]!;
            const le = i < boundaries.length ? num(boundaries[i]!) : "+Inf";
            out.push(`${name}_bucket${labels(dp.attributes, ["le", le])} ${cumulative}`);
          }
          out.push(`${name}_sum${labels(dp.attributes)} ${num(dp.value.sum ?? 0)}`);
          out.push(`${name}_count${labels(dp.attributes)} ${dp.value.count}`);
        }
      } else {
        for (const dp of metric.dataPoints as DataPoint<number>[]) {
          out.push(`${name}${labels(dp.attributes)} ${num(dp.value)}`);
        }
      }
    }
  }
  return out.join("\n") + "\n";
}
