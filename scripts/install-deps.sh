#!/usr/bin/env bash
# Installs the Debian packages the project needs (PHP 8.2 + dev headers, clang for bindgen, PHPUnit,
# WordPress, MariaDB with Galera and rsync (the fault suite's cluster), nginx + php-fpm, valgrind,
# chromium + chromium-driver for the browser test, zip) and checks that a Rust toolchain exists.
# Idempotent: when every package is already installed, apt is not touched at all (< 1 s).
# Usage: bash scripts/install-deps.sh
# Sourced (e.g. by scripts/lint.sh), it only defines PACKAGES and the functions: `install_packages PKG...`
# then installs just those packages.

# All in ONE apt command: nginx must be in the same transaction as php8.2-fpm/wordpress, otherwise
# apt satisfies the "httpd" dependency with apache2.
PACKAGES=(
  php8.2-cli php8.2-dev php8.2-fpm php8.2-mysql php8.2-xml php8.2-mbstring php8.2-curl
  libclang-dev clang phpunit
  wordpress wordpress-theme-twentytwentythree mariadb-server mariadb-client nginx curl
  galera-4 rsync
  valgrind chromium chromium-driver zip unzip
  php-codesniffer shellcheck
)

log() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: ERROR: %s\n' "$*" >&2; exit 1; }

# missing_packages [PKG...]: prints those of the packages (default: PACKAGES) that are not fully
# installed (dpkg status "ii").
missing_packages() {
  local wanted=("$@")
  ((${#wanted[@]})) || wanted=("${PACKAGES[@]}")
  local installed
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${wanted[@]}" 2>/dev/null |
    awk '$2 == "ii" { print $1 }') || true
  local p
  for p in "${wanted[@]}"; do
    grep -qxF "$p" <<<"$installed" || printf '%s\n' "$p"
  done
}

# install_packages [PKG...]: installs the packages (default: all of PACKAGES, in one transaction) unless
# they already are.
install_packages() {
  local wanted=("$@")
  ((${#wanted[@]})) || wanted=("${PACKAGES[@]}")
  local missing
  missing=$(missing_packages "${wanted[@]}")
  if [[ -z "$missing" ]]; then
    log "all ${#wanted[@]} apt packages already installed"
    return 0
  fi
  log "missing: $(tr '\n' ' ' <<<"$missing")"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo: install the packages above as root"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update"
  "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
  log "apt-get install (one transaction, so apache2 is not pulled in)"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${wanted[@]}" || die "apt-get install failed"
  missing=$(missing_packages "${wanted[@]}")
  [[ -z "$missing" ]] || die "still missing after apt-get install: $(tr '\n' ' ' <<<"$missing")"
  log "apt packages installed"
}

check_rust() {
  if command -v cargo >/dev/null 2>&1; then
    log "Rust toolchain: $(cargo --version)"
  elif [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    log "Rust toolchain: $("$HOME/.cargo/bin/cargo" --version) (in ~/.cargo/bin; add it to PATH)"
  else
    die "no Rust toolchain: cargo is neither on PATH nor in ~/.cargo/bin.
  Install one with rustup (rustup default stable), then re-run."
  fi
}

main() {
  install_packages "${PACKAGES[@]}"
  check_rust
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  main "$@"
fi
