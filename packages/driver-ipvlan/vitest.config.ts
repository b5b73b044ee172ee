import { unitConfig } from "@netd/vitest-config";

export default unitConfig();
