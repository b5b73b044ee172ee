// The kernel is reached only through the Kernel interface of @netd/driverapi: only
// packages/kernel (and the test harness, which drives `ip`/`nft` as oracles) may spawn
// processes or load native code. See STYLE.md practice 4.
const message =
  "only packages/kernel talks to the kernel: take a Kernel from the driver context (@netd/driverapi) instead";

/** Rules for every package except the kernel layer. */
export const kernelBoundary = {
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: [
          { name: "node:child_process", message },
          { name: "child_process", message },
          { name: "@netd/netlink-native", message },
        ],
        patterns: [{ group: ["*.node"], message }],
      },
    ],
    "no-restricted-syntax": [
      "error",
      {
        selector: "CallExpression[callee.property.name='dlopen']",
        message,
      },
    ],
  },
};
