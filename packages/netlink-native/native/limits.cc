// Process limits. A daemon holds a few fds per sandbox (port reservations or proxy
// listeners, netlink sockets); the usual soft RLIMIT_NOFILE of 1024 would make it fail
// with EMFILE at a few hundred containers, so it raises the soft limit to the hard one at
// start, as container daemons do.
#include <errno.h>
#include <malloc.h>
#include <sys/resource.h>

#include "common.h"

namespace netd {
namespace {

// raiseOpenFileLimit() -> { soft, hard } after raising soft to hard.
napi_value RaiseOpenFileLimit(napi_env env, napi_callback_info) {
  struct rlimit lim {};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    napi_throw(env, MakeError(env, SysError{errno, "getrlimit", "cannot read RLIMIT_NOFILE"}));
    return nullptr;
  }
  if (lim.rlim_cur < lim.rlim_max) {
    struct rlimit want = lim;
    want.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
  }
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_double(env, static_cast<double>(lim.rlim_cur), &v);
  napi_set_named_property(env, obj, "soft", v);
  napi_create_double(env, static_cast<double>(lim.rlim_max), &v);
  napi_set_named_property(env, obj, "hard", v);
  return obj;
}

// limitMallocArenas(n) -> true when glibc took the limit. glibc gives every thread that
// mallocs its own arena; libuv's pool threads run libnftables, which copies the ruleset into
// its cache on each transaction, so each thread's arena grows to the ruleset's size and stays
// fragmented: at 1,000 sandboxes that was ~60 MB of the daemon's RSS. Must run before the
// pool threads first allocate (threads keep the arena they started with).
napi_value LimitMallocArenas(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_type_error(env, nullptr, "limitMallocArenas(n): n must be an integer >= 1");
    return nullptr;
  }
  napi_value result;
  napi_get_boolean(env, mallopt(M_ARENA_MAX, n) == 1, &result);
  return result;
}

// trimMalloc() -> true when memory was returned to the system (malloc_trim(0): every arena's
// free pages, not only the top of the heap).
napi_value TrimMalloc(napi_env env, napi_callback_info) {
  napi_value result;
  napi_get_boolean(env, malloc_trim(0) == 1, &result);
  return result;
}

}  // namespace

void InitLimits(napi_env env, napi_value exports) {
  SetFunction(env, exports, "raiseOpenFileLimit", RaiseOpenFileLimit);
  SetFunction(env, exports, "limitMallocArenas", LimitMallocArenas);
  SetFunction(env, exports, "trimMalloc", TrimMalloc);
}

}  // namespace netd
