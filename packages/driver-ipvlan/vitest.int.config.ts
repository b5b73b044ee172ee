import { integrationConfig } from "@netd/vitest-config";

export default integrationConfig();
