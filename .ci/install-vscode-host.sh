#!/usr/bin/env bash
# Installs the VS Code server that the integration tests (and `npm start` without a desktop VS Code)
# use: the one inside the npm package code-server, kept in .ci/vscode-host so the project's own
# `npm ci` stays fast. Offline-safe: every download its install scripts would make is avoided.
set -euo pipefail
cd "$(dirname "$0")/vscode-host"
if [ -x node_modules/.bin/code-server ]; then exit 0; fi
export npm_config_unsafe_perm=true                      # code-server's postinstall refuses root without it
export npm_config_yes=true                              # node-pty's postinstall runs `npx node-gyp`
export npm_config_nodedir="${npm_config_nodedir:-/usr}" # Node's headers for native builds, no download
# @vscode/ripgrep inside code-server fetches rg from the internet unless its cache already holds
# the archive; Debian's ripgrep is the same 13.0.0 it expects.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_archive="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$rg_archive" ]; then
  rg_bin=$(command -v rg || true)
  if [ -z "$rg_bin" ]; then
    echo "install-vscode-host: ripgrep is missing (Debian: apt-get install ripgrep)" >&2
    exit 1
  fi
  mkdir -p "$rg_cache"
  tar czf "$rg_archive" -C "$(dirname "$rg_bin")" rg
fi
npm ci --no-audit --no-fund --loglevel=error
