// libnftables in process. The prototypes are declared here so that no -dev package is
// needed; the library is linked as -l:libnftables.so.1.
#include <errno.h>

#include <mutex>

#include "common.h"

extern "C" {
struct nft_ctx;
struct nft_ctx* nft_ctx_new(unsigned int flags);
void nft_ctx_free(struct nft_ctx* ctx);
int nft_ctx_buffer_output(struct nft_ctx* ctx);
int nft_ctx_buffer_error(struct nft_ctx* ctx);
const char* nft_ctx_get_output_buffer(struct nft_ctx* ctx);
const char* nft_ctx_get_error_buffer(struct nft_ctx* ctx);
void nft_ctx_output_set_flags(struct nft_ctx* ctx, unsigned int flags);
void nft_ctx_set_dry_run(struct nft_ctx* ctx, bool dry);
int nft_run_cmd_from_buffer(struct nft_ctx* nft, const char* buf);
}

namespace netd {
namespace {

constexpr unsigned int kOutputHandle = 1u << 3;
constexpr unsigned int kOutputJson = 1u << 4;
constexpr unsigned int kOutputEcho = 1u << 5;

// libnftables keeps process-wide state (symbol tables, gmp, the cache of the context's
// socket); calls are serialized so that two pool threads never run it at once.
std::mutex nftMutex;

struct NftTask : Task {
  std::string commands;
  std::string nsPath;
  bool json = false;
  bool handles = false;
  bool echo = false;
  bool dryRun = false;
  int rc = 0;
  std::string out;
  std::string err;

  void RunHere() {
    // The context opens its netlink socket on this thread, i.e. in this thread's namespace.
    nft_ctx* ctx = nft_ctx_new(0);
    if (ctx == nullptr) {
      error = SysError{ENOMEM, "nft_ctx_new", "libnftables could not create a context"};
      return;
    }
    unsigned int flags = (json ? kOutputJson : 0) | (handles ? kOutputHandle : 0) | (echo ? kOutputEcho : 0);
    nft_ctx_output_set_flags(ctx, flags);
    if (dryRun) nft_ctx_set_dry_run(ctx, true);
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
    rc = nft_run_cmd_from_buffer(ctx, commands.c_str());
    const char* o = nft_ctx_get_output_buffer(ctx);
    const char* e = nft_ctx_get_error_buffer(ctx);
    out = o ? o : "";
    err = e ? e : "";
    nft_ctx_free(ctx);
  }

  void Execute() override {
    std::lock_guard<std::mutex> lock(nftMutex);
    if (nsPath.empty()) {
      RunHere();
    } else {
      RunInNetns(nsPath, error, [&]() { RunHere(); });
    }
  }

  napi_value Resolve(napi_env env) override {
    napi_value obj, v;
    napi_create_object(env, &obj);
    napi_create_int32(env, rc, &v);
    napi_set_named_property(env, obj, "rc", v);
    napi_create_string_utf8(env, out.c_str(), out.size(), &v);
    napi_set_named_property(env, obj, "out", v);
    napi_create_string_utf8(env, err.c_str(), err.size(), &v);
    napi_set_named_property(env, obj, "err", v);
    return obj;
  }
};

// nftRun(commands, { netns?, json?, handles?, echo?, dryRun? }) -> Promise<{rc, out, err}>
napi_value NftRun(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 1) return ThrowType(env, "nftRun(commands, options?)");
  auto* t = new NftTask();
  bool ok = GetString(env, argv[0], t->commands);
  if (ok && argc >= 2) {
    ok = GetStringProp(env, argv[1], "netns", t->nsPath) && GetBoolProp(env, argv[1], "json", t->json) &&
         GetBoolProp(env, argv[1], "handles", t->handles) && GetBoolProp(env, argv[1], "echo", t->echo) &&
         GetBoolProp(env, argv[1], "dryRun", t->dryRun);
  }
  if (!ok) {
    delete t;
    return nullptr;
  }
  return RunAsync(env, "netd.nftRun", t);
}

}  // namespace

void InitNft(napi_env env, napi_value exports) { SetFunction(env, exports, "nftRun", NftRun); }

}  // namespace netd
