# Sourced by every script: the project's tools first on PATH (wasm-opt from npm's
# binaryen, never Debian's), cargo's bin dir, and a few shared paths.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# wasm-pack must never download anything: a missing tool is an error.
WASM_PACK_FLAGS=(--mode no-install)
step() { printf '\n==> %s\n' "$*"; }

# launch VAR WHAT COMMAND...: starts COMMAND (a server that binds a free loopback port and
# prints `listening on URL` first) in the background, waits for that line, and sets and
# exports VAR_URL and VAR_PID; on failure it prints the log, stops the process, returns 1.
launch() {
  local var=$1 what=$2
  shift 2
  mkdir -p "$ROOT/build"
  local log="$ROOT/build/$(echo "$var" | tr 'A-Z_' 'a-z-').$$.log"
  "$@" >"$log" 2>&1 &
  local pid=$! url=""
  for _ in $(seq 100); do
    url=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log")
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "$what did not start:" >&2
    cat "$log" >&2
    kill "$pid" 2>/dev/null || true
    return 1
  fi
  printf -v "${var}_PID" %s "$pid"
  printf -v "${var}_URL" %s "$url"
  export "${var}_PID" "${var}_URL"
  echo "$what: $url (pid $pid)"
}
# halt VAR: stops what `launch VAR` started (idempotent).
halt() {
  local pid_var="${1}_PID"
  local pid=${!pid_var:-}
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  printf -v "$pid_var" %s ""
}

# start_backend [--faults]: builds and starts the reference backend, exports BACKEND_URL,
# and stops it when the calling script exits.
start_backend() {
  cargo build --quiet -p mp-consent-backend
  launch BACKEND "reference backend" "$ROOT/target/debug/mp-consent-backend" "$@" || return 1
  trap stop_backend EXIT
}
stop_backend() { halt BACKEND; }

# start_binance_sim: builds and starts the Binance Open Service simulator (it generates
# the merchant key pair and writes the private half to build/binance-merchant-key.pem),
# exports BINANCE_SIM_URL and the MPCB_BINANCE_* / MPCB_ADMIN_KEY variables the reference
# backend reads; stop_binance_sim stops it.
start_binance_sim() {
  cargo build --quiet -p mp-consent-binance-sim --bin binance-open-sim
  local key="$ROOT/build/binance-merchant-key.pem"
  rm -f "$key"
  launch BINANCE_SIM "Binance Open Service simulator" \
    "$ROOT/target/debug/binance-open-sim" --write-private-key "$key" || return 1
  export MPCB_BINANCE_BASE_URL="$BINANCE_SIM_URL" MPCB_BINANCE_APP_ID=mpcb-demo-app \
    MPCB_BINANCE_ACCESS_KEY=demo-ak MPCB_BINANCE_SECRET_KEY=demo-sk MPCB_BINANCE_PRIVATE_KEY_FILE="$key" \
    MPCB_ADMIN_KEY=demo-admin-key
}
stop_binance_sim() { halt BINANCE_SIM; }
