import { expect, it } from "vitest";
import { describeSpec, drop, find, realGraph, runPolicy } from "../harness/real-graph";

const POLICY = "queue-dead-letters-consumed";

// Only prod replicates reports, and only its replicator has a dead-letter queue.
describeSpec(
  POLICY,
  {
    levels: { dev: "advisory", staging: "advisory", prod: "mandatory" },
    notApplicableOn: {
      dev: /no queue consumer names a dead-letter queue/,
      staging: /no queue consumer/,
    },
  },
  (fails) => {
    it("passes prod because the dead-letter queue has a consumer of its own", async () => {
      const g = realGraph("prod");
      const dlq = find(g, "storage-events-dlq");
      expect(find(g, "worker-replicator-dead-letters").dependsOn).toContain(dlq.urn);
      expect((await runPolicy(POLICY)).violations).toEqual([]);
    });

    fails(
      "fails when nothing consumes the dead-letter queue",
      (g) => drop(g, "worker-replicator-dead-letters"),
      {
        message:
          /Queue 'storage-events-dlq' receives dead letters from QueueConsumer 'worker-replicator-consumer', but nothing consumes it/,
      },
    );

    it("does not take the consumer that sends to the dead-letter queue for one that reads it", async () => {
      // The sending consumer depends on the dead-letter queue too; it must not count as reading it.
      const g = realGraph("prod");
      expect(find(g, "worker-replicator-consumer").dependsOn).toContain(
        find(g, "storage-events-dlq").urn,
      );
      const result = await runPolicy(POLICY, {
        mutate: (x) => drop(x, "worker-replicator-dead-letters"),
      });
      expect(result.violations).toHaveLength(1);
    });
  },
);
