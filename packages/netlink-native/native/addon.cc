// Placeholder until the netlink/libnftables addon lands (issue 3).
#include <node_api.h>

static napi_value Version(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_string_utf8(env, "0", NAPI_AUTO_LENGTH, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, Version, nullptr, &fn);
  napi_set_named_property(env, exports, "version", fn);
  return exports;
}
