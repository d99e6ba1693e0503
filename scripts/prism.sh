#!/usr/bin/env bash
# Stoplight Prism (pinned, from npm) mocking Cal.com's API v2 from its OpenAPI document
# (tests/fixtures/calcom-api/openapi.json, or SC_CALCOM_OPENAPI), on 127.0.0.1.
# Prism answers 422 to any request the document does not allow: tests/wp/CalcomContractTest.php sends
# the plugin's requests to it.
#
# Usage: eval "$(bash scripts/prism.sh start)"   installs Prism into $SC_RUN_DIR/node-prism when
#                                                missing, starts it on a free port, prints
#                                                export SC_PRISM_URL=http://127.0.0.1:PORT
#        bash scripts/prism.sh stop
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run_dir=${SC_RUN_DIR:-$repo/.run/test}
dir=$run_dir/node-prism
version=5.14.2
say() { printf 'prism: %s\n' "$*" >&2; }

stop() {
  if [[ -f $dir/pid ]]; then
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    rm -f "$dir/pid"
    say "stopped"
  fi
}

start() {
  local spec=${SC_CALCOM_OPENAPI:-$repo/tests/fixtures/calcom-api/openapi.json} port pid
  [[ -f $spec ]] || { say "ERROR: Cal.com's OpenAPI document is not at $spec (set SC_CALCOM_OPENAPI to its path)"; exit 1; }
  command -v npm >/dev/null || { say "ERROR: npm is missing (run: bash scripts/install-deps.sh)"; exit 1; }
  mkdir -p "$dir"
  if [[ ! -x $dir/node_modules/.bin/prism ]] || ! grep -q "\"version\": \"$version\"" "$dir/node_modules/@stoplight/prism-cli/package.json" 2>/dev/null; then
    say "installing @stoplight/prism-cli@$version from npm into $dir"
    npm --prefix "$dir" install --no-audit --no-fund --silent "@stoplight/prism-cli@$version" >&2
  fi
  stop 2>/dev/null
  # shellcheck disable=SC2016 # PHP code, not shell
  port=$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);')
  "$dir/node_modules/.bin/prism" mock --host 127.0.0.1 --port "$port" "$spec" >"$dir/prism.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/pid"
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      say "mocking $(basename "$spec") on http://127.0.0.1:$port (pid $pid, log $dir/prism.log)"
      echo "export SC_PRISM_URL=http://127.0.0.1:$port"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  say "ERROR: Prism did not start; its log ($dir/prism.log) ends with:"
  tail -n 20 "$dir/prism.log" >&2
  stop 2>/dev/null
  exit 1
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
