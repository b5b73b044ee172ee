// Process limits. A daemon holds a few fds per sandbox (port reservations or proxy
// listeners, netlink sockets); the usual soft RLIMIT_NOFILE of 1024 would make it fail
// with EMFILE at a few hundred containers, so it raises the soft limit to the hard one at
// start, as container daemons do.
#include <errno.h>
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

}  // namespace

void InitLimits(napi_env env, napi_value exports) { SetFunction(env, exports, "raiseOpenFileLimit", RaiseOpenFileLimit); }

}  // namespace netd
