export * from "./driver.js";
export * from "./events.js";
export * from "./kernel.js";
export * from "./ports.js";
export * from "./errors.js";
export * from "./nft-text.js";
export * from "./ip.js";
export { UndoStack } from "./undo-stack.js";
export * from "./userland-proxy.js";
