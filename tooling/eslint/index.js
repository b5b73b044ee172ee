import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { kernelBoundary } from "./boundaries.js";

/**
 * The shared flat config. `mayTouchKernel` is true only for packages/kernel,
 * packages/netlink-native and packages/testing.
 * @param {{ mayTouchKernel?: boolean }} [options]
 */
export function netdConfig(options = {}) {
  return tseslint.config(
    { ignores: ["dist/**", "build/**", ".cache/**", "**/*.js", "**/*.cjs", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: { parserOptions: { projectService: true } },
      rules: {
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        "@typescript-eslint/consistent-type-imports": "error",
        "@typescript-eslint/no-floating-promises": "error",
        "@typescript-eslint/require-await": "error",
      },
    },
    {
      files: ["**/*.test.ts", "test/**/*.ts", "bench/**/*.ts"],
      rules: {
        "@typescript-eslint/no-non-null-assertion": "off",
        "@typescript-eslint/unbound-method": "off",
      },
    },
    ...(options.mayTouchKernel ? [] : [kernelBoundary]),
  );
}
