# shellcheck shell=bash
# Sourced by the Playwright tests: installs playwright-core and Cal.com's @calcom/embed-core (pinned) from
# npm into $node_dir (under $SC_RUN_DIR, never into the repository) when they are missing, and puts the
# tests' shared module (checks.mjs) beside them.
: "${node_dir:?set node_dir before sourcing node-deps.sh}" "${repo:?set repo before sourcing node-deps.sh}"
if [[ ! -f $node_dir/node_modules/playwright-core/package.json || ! -f $node_dir/node_modules/@calcom/embed-core/dist/embed/embed.js ]]; then
  npm --prefix "$node_dir" install --no-audit --no-fund --silent playwright-core@1.65.1 @calcom/embed-core@1.5.3
fi
cp "$repo/tests/browser/checks.mjs" "$node_dir/checks.mjs"
