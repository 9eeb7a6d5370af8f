# Sourced after env.sh. start_wechat_sim: builds and starts the WeChat API simulator on a
# free loopback port with a demo app id and secret, exports WECHAT_SIM_URL and the
# MPCB_WECHAT_* variables the reference backend reads (and MPCB_ADMIN_KEY for
# /merchant/wechat/send when unset); stop_wechat_sim stops it.
start_wechat_sim() {
  cargo build --quiet -p mp-consent-server --bin wechat-sim
  mkdir -p "$ROOT/build"
  local log="$ROOT/build/wechat-sim.$$.log"
  "$ROOT/target/debug/wechat-sim" --app-id wxmpcbdemo0000001 --app-secret mpcb-demo-wechat-secret >"$log" 2>&1 &
  WECHAT_SIM_PID=$!
  WECHAT_SIM_URL=""
  for _ in $(seq 100); do
    WECHAT_SIM_URL=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$log")
    [ -n "$WECHAT_SIM_URL" ] && break
    sleep 0.1
  done
  [ -n "$WECHAT_SIM_URL" ] || { echo "WeChat API simulator did not start:" >&2; cat "$log" >&2; return 1; }
  export WECHAT_SIM_URL MPCB_WECHAT_BASE_URL="$WECHAT_SIM_URL" MPCB_WECHAT_APP_ID=wxmpcbdemo0000001 \
    MPCB_WECHAT_APP_SECRET=mpcb-demo-wechat-secret MPCB_ADMIN_KEY="${MPCB_ADMIN_KEY:-demo-admin-key}"
  echo "WeChat API simulator: $WECHAT_SIM_URL (pid $WECHAT_SIM_PID)"
}
stop_wechat_sim() {
  if [ -n "${WECHAT_SIM_PID:-}" ]; then
    kill "$WECHAT_SIM_PID" 2>/dev/null || true
    wait "$WECHAT_SIM_PID" 2>/dev/null || true
    WECHAT_SIM_PID=""
  fi
}
