export * from "./rule";
export * from "./check";
export { TABLE } from "./rules";
