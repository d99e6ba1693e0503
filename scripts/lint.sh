#!/usr/bin/env bash
# Static checks: rustfmt, clippy (pure core and with the PHP layer), `php -l` on every tracked PHP file,
# phpcs (engine: php/phpcs.xml.dist, PSR-12; plugin: wp-plugin/phpcs.xml.dist, WordPress conventions;
# tests and scripts: scripts/phpcs-light.xml.dist) and shellcheck on every shell script.
# Every step runs, each announced by a `==> step` line; the exit status is 1 when any of them failed,
# and the failed ones are listed at the end.
#
# Usage: bash scripts/lint.sh          (installs php-codesniffer and shellcheck first when missing)
# As a git pre-commit hook (checks the working tree, not only what is staged):
#   ln -s ../../scripts/lint.sh .git/hooks/pre-commit
# Skip it for one commit with `git commit --no-verify`.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail

# realpath: as a hook this runs as .git/hooks/pre-commit, a link to scripts/lint.sh.
repo=$(cd "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$repo" || exit 1
# Only when missing: a PATH that changes between runs makes cargo re-run ext-php-rs's bindgen (slow).
case ":$PATH:" in
  *":$HOME/.cargo/bin:"*) ;;
  *) export PATH="$HOME/.cargo/bin:$PATH" ;;
esac

failed=()
step() { printf '\n==> %s\n' "$*"; }
# run NAME COMMAND...: runs one step, remembers it when it fails.
run() {
  local name=$1
  shift
  step "$name"
  if "$@"; then
    return 0
  fi
  printf 'lint: FAILED: %s\n' "$name" >&2
  failed+=("$name")
}
need() {
  command -v "$1" >/dev/null 2>&1 || { printf 'lint: %s is not installed (bash scripts/install-deps.sh)\n' "$1" >&2; return 1; }
}

# Only the linters, with the installer of scripts/install-deps.sh (not its whole package list).
step "Lint tools (php-codesniffer, shellcheck, clang for the fuzz targets)"
# shellcheck source=install-deps.sh
( source "$repo/scripts/install-deps.sh" && install_packages php-codesniffer shellcheck clang ) ||
  printf 'lint: could not install the lint tools: the steps that need them will fail\n' >&2

# Tracked files of the working tree (a file deleted or moved but not yet staged is skipped).
tracked() {
  local f
  while IFS= read -r -d '' f; do
    if [[ -f "$f" && ! -L "$f" ]]; then printf '%s\0' "$f"; fi
  done < <(git ls-files -z -- "$@")
}

php_syntax() {
  need php || return 1
  # One file per php -l (PHP 8.2 lints only its first argument), two at a time; only failures print.
  # shellcheck disable=SC2016 # $1 belongs to the inner sh
  tracked '*.php' | xargs -0 -r -n1 -P2 sh -c 'out=$(php -n -l "$1" 2>&1) || { printf "%s\n" "$out"; exit 1; }' php-lint
}

# phpcs_ruleset RULESET: the ruleset's own <file> list, or the ruleset's folder when it has none.
phpcs_ruleset() {
  local ruleset=$1
  need phpcs || return 1
  [[ -f "$ruleset" ]] || { printf 'lint: %s does not exist\n' "$ruleset" >&2; return 1; }
  local paths=()
  grep -q '<file>' "$ruleset" || paths=("$(dirname "$ruleset")")
  local color=()
  [[ -t 1 ]] && color=(--colors)
  phpcs -q -s --parallel=2 "${color[@]}" --report-full --report-source --standard="$ruleset" "${paths[@]}"
}

shell_scripts() {
  local f first
  while IFS= read -r -d '' f; do
    if [[ "$f" == *.sh ]]; then
      printf '%s\0' "$f"
      continue
    fi
    first=""
    IFS= read -r -n 80 first <"$f" 2>/dev/null || true
    if [[ "$first" =~ ^#!.*[/\ ](ba)?sh([[:space:]]|$) ]]; then printf '%s\0' "$f"; fi
  done < <(tracked)
}

shellcheck_all() {
  need shellcheck || return 1
  local files=()
  mapfile -d '' -t files < <(shell_scripts)
  printf 'shellcheck: %d scripts\n' "${#files[@]}"
  shellcheck -x "${files[@]}"
}

run "cargo fmt --check" cargo fmt --check
run "cargo clippy, pure core (--no-default-features)" cargo clippy --all-targets --no-default-features -- -D warnings
run "cargo clippy, with the PHP extension layer" cargo clippy --all-targets -- -D warnings
run "cargo fmt --check, fuzz targets (fuzz/)" cargo fmt --check --manifest-path fuzz/Cargo.toml
run "cargo clippy, fuzz targets (fuzz/)" env CXX="${CXX:-clang++}" cargo clippy --manifest-path fuzz/Cargo.toml --target-dir target/fuzz --bins -- -D warnings
run "php -l on every tracked PHP file" php_syntax
run "phpcs: engine (php/phpcs.xml.dist, PSR-12)" phpcs_ruleset php/phpcs.xml.dist
run "phpcs: plugin (wp-plugin/phpcs.xml.dist, WordPress conventions)" phpcs_ruleset wp-plugin/phpcs.xml.dist
run "phpcs: tests and scripts (scripts/phpcs-light.xml.dist)" phpcs_ruleset scripts/phpcs-light.xml.dist
run "shellcheck on every shell script" shellcheck_all

echo
if ((${#failed[@]})); then
  printf 'lint: %d step(s) failed:\n' "${#failed[@]}" >&2
  printf '  - %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "lint: all steps passed"
