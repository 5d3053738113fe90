#!/usr/bin/env bash
# Runs every test of the project on a fresh machine or a warm one:
# formatting and lints, the Rust unit and integration tests, a short run
# of each fuzz target, then the browser tests in Debian's Chromium.
# Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing ${need_apt[*]} for the browser tests"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${need_apt[@]}"
fi

(
  cd tests/browser
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
)

cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --quiet
# A few seconds of each fuzz target over its seeds (installs cargo-fuzz).
tests/fuzz.sh smoke
cargo build --release --quiet
(cd tests/browser && npm test)
