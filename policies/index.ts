// The pack's entry point for `pulumi preview --policy-pack policies`. It only composes: every
// policy lives in rules/, the cost model in cost/. Importing this file starts the analyzer's
// gRPC server, so tests and the offline plan use pack.ts and evaluate.ts instead.
import { PolicyPack } from "@pulumi/policy";
import { contextFromEnvironment } from "./context";
import { PACK_NAME, packArgs } from "./pack";

new PolicyPack(PACK_NAME, packArgs(contextFromEnvironment()));
