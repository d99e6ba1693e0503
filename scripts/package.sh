#!/usr/bin/env bash
# Builds dist/solar-capture.zip: the plugin folder with the pure-PHP engine copied in (the repository's
# wp-plugin/solar-capture/engine is a link to php/), installable through Plugins → Add New → Upload on
# any host, with or without the solar_capture extension.
# Usage: bash scripts/package.sh [output.zip]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(realpath -m "${1:-$repo/dist/solar-capture.zip}")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# -L copies what the engine link points at; the stub is for IDEs, not for sites.
cp -rL "$repo/wp-plugin/solar-capture" "$stage/solar-capture"
rm -f "$stage/solar-capture/engine/solar_capture.stub.php"
for f in functions.php PhpEngine.php PayloadException.php; do
  [[ -f "$stage/solar-capture/engine/$f" ]] || { echo "package: engine/$f missing" >&2; exit 1; }
done
mkdir -p "$(dirname "$out")"
rm -f "$out"
(cd "$stage" && zip -qr -X "$out" solar-capture)
echo "package: $out ($(du -k "$out" | cut -f1) KiB, $(unzip -Z1 "$out" | grep -vc '/$') files)"
