import type { ViteUserConfig } from "vitest/config";
export declare function unitConfig(): ViteUserConfig;
export declare function integrationConfig(): ViteUserConfig;
export declare function vmConfig(): ViteUserConfig;
