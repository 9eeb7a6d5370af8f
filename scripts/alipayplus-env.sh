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
  launch ALIPAYPLUS_SIM "Alipay+ gateway simulator" "$ROOT/target/debug/alipayplus-sim" \
    --client-id MPCB_DEMO_CLIENT --merchant-public-key "$dir/merchant-public.pem" \
    --platform-private-key "$dir/platform-private.pem" || return 1
  export MPCB_ALIPAYPLUS_BASE_URL="$ALIPAYPLUS_SIM_URL" MPCB_ALIPAYPLUS_CLIENT_ID=MPCB_DEMO_CLIENT \
    MPCB_ALIPAYPLUS_PRIVATE_KEY_FILE="$dir/merchant-private.pem" \
    MPCB_ALIPAYPLUS_PLATFORM_PUBLIC_KEY_FILE="$dir/platform-public.pem" MPCB_ALIPAYPLUS_KEY_VERSION=1
}
stop_alipayplus_sim() { halt ALIPAYPLUS_SIM; }
