import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { label, refersTo, stackRule, type RuleMeta } from "../lib/define";
import { T } from "../lib/types";

export const meta: RuleMeta = {
  name: "queue-dead-letters-consumed",
  description:
    "Every Cloudflare Queue that receives dead letters has a consumer of its own, so messages that failed every retry reach someone.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediation:
    "Add a cloudflare.QueueConsumer on the dead-letter queue (components/worker: the replicator consumes it and alerts the SNS topic), or remove deadLetterQueue from the consumer that names it.",
};

/** Whether `consumer` names `queue` as the queue its failed messages go to. */
const sendsTo = (consumer: PolicyResource, queue: PolicyResource) =>
  refersTo(consumer, queue, "deadLetterQueue", ["queueName"], { anyDependency: false });

/**
 * Whether `consumer` reads `queue`. Its `queueId` is the queue's output, unknown before the
 * queue exists, so the link is its property dependency when the engine sends one, else a
 * dependency on the queue that is not the one named as its own dead-letter queue.
 */
function consumes(consumer: PolicyResource, queue: PolicyResource): boolean {
  const byProperty = consumer.propertyDependencies?.queueId ?? [];
  if (byProperty.length > 0) return byProperty.some((d) => d.urn === queue.urn);
  if (refersTo(consumer, queue, "queueId", ["queueId"], { anyDependency: false })) return true;
  return consumer.dependencies.some((d) => d.urn === queue.urn) && !sendsTo(consumer, queue);
}

/**
 * ARA's requirements (docs/architecture.md) want failures visible ("Alerts", "Monitoring"). A dead-letter queue nobody
 * consumes is where the report replica's failed copies would wait, unseen, until Queues
 * delete them (four days by default), and prod would lose its versioned backup silently.
 * @severity medium
 */
export function queueDeadLettersConsumed(): StackValidationPolicy {
  return stackRule(meta, (args, report) => {
    const queues = args.resources.filter((r) => r.type === T.queue);
    const consumers = args.resources.filter((r) => r.type === T.queueConsumer);
    let deadLetterQueues = 0;
    for (const queue of queues) {
      const senders = consumers.filter((c) => sendsTo(c, queue));
      if (senders.length === 0) continue;
      deadLetterQueues++;
      if (!consumers.some((c) => consumes(c, queue))) {
        report(
          `${label(queue)} receives dead letters from ${senders.map(label).join(", ")}, but nothing consumes it: messages that failed every retry would expire unseen.`,
        );
      }
    }
    if (deadLetterQueues === 0) args.notApplicable("no queue consumer names a dead-letter queue");
  });
}
