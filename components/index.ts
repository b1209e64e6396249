export { Cache, type CacheArgs } from "./cache";
export { stateful, type ComponentContext, type Protection } from "./conventions";
