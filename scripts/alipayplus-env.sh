# Sourced by scripts/demo after env.sh. start_alipayplus_sim: generates a merchant and a
# platform key pair (2048-bit, openssl) under build/alipayplus/, builds and starts the
# Alipay+ gateway simulator on a free loopback port, exports ALIPAYPLUS_SIM_URL and the
# MPCB_ALIPAYPLUS_* variables the reference backend reads; stop_alipayplus_sim stops it.
start_alipayplus_sim() {
  cargo build --quiet -p mp-consent-server --bin alipayplus-sim
  local dir="$ROOT/build/alipayplus"
  mkdir -p "$dir"
  for who in merchant platform; do
    if [ ! -s "$dir/$who-private.pem" ]; then
      openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/$who-private.pem" 2>/dev/null
    fi
    openssl pkey -in "$dir/$who-private.pem" -pubout -out "$dir/$who-public.pem"
  done
  local log="$ROOT/build/alipayplus-sim.$$.log"
  "$ROOT/target/debug/alipayplus-sim" --client-id MPCB_DEMO_CLIENT --merchant-public-key "$dir/merchant-public.pem" \
    --platform-private-key "$dir/platform-private.pem" >"$log" 2>&1 &
  ALIPAYPLUS_SIM_PID=$!
  ALIPAYPLUS_SIM_URL=""
  for _ in $(seq 100); do
    ALIPAYPLUS_SIM_URL=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log")
    [ -n "$ALIPAYPLUS_SIM_URL" ] && break
    sleep 0.1
  done
  [ -n "$ALIPAYPLUS_SIM_URL" ] || { echo "Alipay+ gateway simulator did not start:" >&2; cat "$log" >&2; return 1; }
  export ALIPAYPLUS_SIM_URL MPCB_ALIPAYPLUS_BASE_URL="$ALIPAYPLUS_SIM_URL" MPCB_ALIPAYPLUS_CLIENT_ID=MPCB_DEMO_CLIENT \
    MPCB_ALIPAYPLUS_PRIVATE_KEY_FILE="$dir/merchant-private.pem" \
    MPCB_ALIPAYPLUS_PLATFORM_PUBLIC_KEY_FILE="$dir/platform-public.pem" MPCB_ALIPAYPLUS_KEY_VERSION=1
  echo "Alipay+ gateway simulator: $ALIPAYPLUS_SIM_URL (pid $ALIPAYPLUS_SIM_PID)"
}
stop_alipayplus_sim() {
  if [ -n "${ALIPAYPLUS_SIM_PID:-}" ]; then
    kill "$ALIPAYPLUS_SIM_PID" 2>/dev/null || true
    wait "$ALIPAYPLUS_SIM_PID" 2>/dev/null || true
    ALIPAYPLUS_SIM_PID=""
  fi
}
