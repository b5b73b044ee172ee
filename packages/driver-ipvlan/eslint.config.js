import { netdConfig } from "@netd/eslint-config";

export default netdConfig();
