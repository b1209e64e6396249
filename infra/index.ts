import * as pulumi from "@pulumi/pulumi";
import { loadSecrets, loadStackConfig } from "../stacks/load";
import { isOfflinePlan } from "./mode";
import { buildEnvironment } from "./program";

// Validate everything before the first resource is registered: a bad key fails here,
// with the key, the problem and the fix, and nothing reaches a cloud API.
const options = { stack: pulumi.getStack(), offline: isOfflinePlan() };
const config = loadStackConfig(options);
const secrets = loadSecrets(options, config);

export = buildEnvironment({ config, secrets });
