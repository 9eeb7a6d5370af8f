# Sourced by every script: the project's tools first on PATH (wasm-opt from npm's
# binaryen, never Debian's), cargo's bin dir, and a few shared paths.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# wasm-pack must never download anything: a missing tool is an error.
WASM_PACK_FLAGS=(--mode no-install)
step() { printf '\n==> %s\n' "$*"; }

# start_backend [--faults]: builds and starts the reference backend on a free loopback
# port, exports BACKEND_URL, and stops it when the calling script exits.
start_backend() {
  cargo build --quiet -p mp-consent-backend
  mkdir -p "$ROOT/build"
  local log="$ROOT/build/backend.$$.log"
  "$ROOT/target/debug/mp-consent-backend" "$@" >"$log" 2>&1 &
  BACKEND_PID=$!
  trap stop_backend EXIT
  BACKEND_URL=""
  for _ in $(seq 100); do
    BACKEND_URL=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log")
    [ -n "$BACKEND_URL" ] && break
    sleep 0.1
  done
  [ -n "$BACKEND_URL" ] || { echo "reference backend did not start:" >&2; cat "$log" >&2; return 1; }
  export BACKEND_URL
  echo "reference backend: $BACKEND_URL (pid $BACKEND_PID)"
}
stop_backend() {
  if [ -n "${BACKEND_PID:-}" ]; then
    kill "$BACKEND_PID" 2>/dev/null || true
    wait "$BACKEND_PID" 2>/dev/null || true
    BACKEND_PID=""
  fi
}

# start_binance_sim: builds and starts the Binance Open Service simulator on a free
# loopback port (it generates the merchant key pair and writes the private half to
# build/binance-merchant-key.pem), exports BINANCE_SIM_URL and the MPCB_BINANCE_* /
# MPCB_ADMIN_KEY variables the reference backend reads, and stops it with stop_binance_sim.
start_binance_sim() {
  cargo build --quiet -p mp-consent-binance-sim --bin binance-open-sim
  mkdir -p "$ROOT/build"
  local log="$ROOT/build/binance-sim.$$.log"
  local key="$ROOT/build/binance-merchant-key.pem"
  rm -f "$key"
  "$ROOT/target/debug/binance-open-sim" --write-private-key "$key" >"$log" 2>&1 &
  BINANCE_SIM_PID=$!
  BINANCE_SIM_URL=""
  for _ in $(seq 100); do
    BINANCE_SIM_URL=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log")
    [ -n "$BINANCE_SIM_URL" ] && break
    sleep 0.1
  done
  [ -n "$BINANCE_SIM_URL" ] || { echo "Binance Open Service simulator did not start:" >&2; cat "$log" >&2; return 1; }
  export BINANCE_SIM_URL MPCB_BINANCE_BASE_URL="$BINANCE_SIM_URL" MPCB_BINANCE_APP_ID=mpcb-demo-app \
    MPCB_BINANCE_ACCESS_KEY=demo-ak MPCB_BINANCE_SECRET_KEY=demo-sk MPCB_BINANCE_PRIVATE_KEY_FILE="$key" \
    MPCB_ADMIN_KEY=demo-admin-key
  echo "Binance Open Service simulator: $BINANCE_SIM_URL (pid $BINANCE_SIM_PID)"
}
stop_binance_sim() {
  if [ -n "${BINANCE_SIM_PID:-}" ]; then
    kill "$BINANCE_SIM_PID" 2>/dev/null || true
    wait "$BINANCE_SIM_PID" 2>/dev/null || true
    BINANCE_SIM_PID=""
  fi
}
