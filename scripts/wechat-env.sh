# Sourced after env.sh. start_wechat_sim: builds and starts the WeChat API simulator on a
# free loopback port with a demo app id and secret, exports WECHAT_SIM_URL and the
# MPCB_WECHAT_* variables the reference backend reads (and MPCB_ADMIN_KEY for
# /merchant/wechat/send when unset); stop_wechat_sim stops it.
start_wechat_sim() {
  cargo build --quiet -p mp-consent-server --bin wechat-sim
  launch WECHAT_SIM "WeChat API simulator" \
    "$ROOT/target/debug/wechat-sim" --app-id wxmpcbdemo0000001 --app-secret mpcb-demo-wechat-secret || return 1
  export MPCB_WECHAT_BASE_URL="$WECHAT_SIM_URL" MPCB_WECHAT_APP_ID=wxmpcbdemo0000001 \
    MPCB_WECHAT_APP_SECRET=mpcb-demo-wechat-secret MPCB_ADMIN_KEY="${MPCB_ADMIN_KEY:-demo-admin-key}"
}
stop_wechat_sim() { halt WECHAT_SIM; }
