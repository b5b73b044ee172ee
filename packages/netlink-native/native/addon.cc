// Entry point of @netd/netlink-native. See index.d.ts for the JavaScript API.
#include "common.h"

NAPI_MODULE_INIT() {
  netd::InitNetlink(env, exports);
  netd::InitNft(env, exports);
  netd::InitNetns(env, exports);
  netd::InitLimits(env, exports);
  netd::InitFdpass(env, exports);
  return exports;
}
