#!/usr/bin/env bash
# The whole test suite: bootstrap, build, typecheck, lint, unit tests, then the
# integration tests (root, real network namespaces), then the real-kernel tests in a qemu guest. Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh || { echo "bootstrap failed"; echo "0 passed, 1 failed"; exit 1; }
export npm_config_nodedir="${npm_config_nodedir:-/usr}" TURBO_TELEMETRY_DISABLED=1

rm -f packages/*/.cache/vitest-*.json apps/*/.cache/vitest-*.json examples/*/.cache/vitest-*.json
status=0
pnpm turbo run build typecheck lint test --continue --concurrency=2 --output-logs=errors-only || status=1
# Integration tests share the kernel: one package at a time.
pnpm turbo run test:int --continue --concurrency=1 --output-logs=new-only || status=1
# Real-kernel tests (test/vm/**/*.vm.test.ts of every package): one qemu boot of Debian's kernel
# for all packages; reports land in <pkg>/.cache/vitest-vm.json (packages/testing/README.md).
pnpm turbo run test:vm --filter=@netd/testing --output-logs=full || status=1
node scripts/summarize-tests.mjs "$status"
