#!/usr/bin/env bash
# The main job: installs what is needed, builds the extension, starts a local WordPress with the
# plugin and the extension (MariaDB + nginx + php-fpm on 127.0.0.1), prints the site, login, webhook
# endpoint and secret, replays a signed booking lifecycle so leads show at once, and keeps serving
# until Ctrl-C (which stops everything it started).
# Usage: bash scripts/run.sh [--engine native|php]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

bash scripts/install-deps.sh
# Only when missing: a PATH that changes between runs makes cargo re-run ext-php-rs's bindgen (slow).
case ":$PATH:" in
  *":$HOME/.cargo/bin:"*) ;;
  *) export PATH="$HOME/.cargo/bin:$PATH" ;;
esac
cargo build --release
php -d extension="$repo/target/release/libsolar_capture.so" scripts/demo.php > /dev/null

bash scripts/stack.sh start "$@"
trap 'echo; bash scripts/stack.sh stop' EXIT INT TERM
eval "$(bash scripts/stack.sh env)"
php scripts/demo-site.php

echo
echo "Serving until you press Ctrl-C (or set SC_RUN_SECONDS to stop after that many seconds)."
if [[ -n "${SC_RUN_SECONDS:-}" ]]; then
  sleep "$SC_RUN_SECONDS"
else
  while true; do sleep 3600; done
fi
