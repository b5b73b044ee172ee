import { vmConfig } from "@netd/vitest-config";

export default vmConfig();
