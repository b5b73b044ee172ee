// libnftables in process. The prototypes are declared here so that no -dev package is
// needed; the library is linked as -l:libnftables.so.1.
#include <sys/stat.h>
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

// libnftables waits on its netlink socket with select(): a socket whose fd is >= 1024
// (FD_SETSIZE) aborts the whole process ("bit out of range 0 - FD_SETSIZE on fd_set").
// A daemon with hundreds of sandboxes holds that many fds (netlink sockets, namespace fds,
// proxy listeners), so a context created per call would eventually get such a socket. The
// context for the process's own namespace — the one netd programs at run time — is
// therefore created once, at load time while fds are still low, and reused for every call.
nft_ctx* ownCtx = nullptr;
struct stat ownNs {};

bool IsOwnNamespace(const std::string& path) {
  if (path.empty()) return true;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return false;
  return st.st_dev == ownNs.st_dev && st.st_ino == ownNs.st_ino;
}

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

  // Runs the commands on `ctx`; the output and error buffers are reset by each read.
  void RunWith(nft_ctx* ctx) {
    unsigned int flags = (json ? kOutputJson : 0) | (handles ? kOutputHandle : 0) | (echo ? kOutputEcho : 0);
    nft_ctx_output_set_flags(ctx, flags);
    nft_ctx_set_dry_run(ctx, dryRun);
    rc = nft_run_cmd_from_buffer(ctx, commands.c_str());
    const char* o = nft_ctx_get_output_buffer(ctx);
    const char* e = nft_ctx_get_error_buffer(ctx);
    out = o ? o : "";
    err = e ? e : "";
  }

  void RunHere() {
    // The context opens its netlink socket on this thread, i.e. in this thread's namespace.
    nft_ctx* ctx = nft_ctx_new(0);
    if (ctx == nullptr) {
      error = SysError{ENOMEM, "nft_ctx_new", "libnftables could not create a context"};
      return;
    }
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
    RunWith(ctx);
    nft_ctx_free(ctx);
  }

  void Execute() override {
    std::lock_guard<std::mutex> lock(nftMutex);
    if (ownCtx != nullptr && IsOwnNamespace(nsPath)) {
      RunWith(ownCtx);
    } else if (nsPath.empty()) {
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

void InitNft(napi_env env, napi_value exports) {
  SetFunction(env, exports, "nftRun", NftRun);
  // Created on the JS thread, which never leaves the process's namespace.
  if (ownCtx == nullptr && stat("/proc/self/ns/net", &ownNs) == 0) {
    ownCtx = nft_ctx_new(0);
    if (ownCtx != nullptr) {
      nft_ctx_buffer_output(ownCtx);
      nft_ctx_buffer_error(ownCtx);
    }
  }
}

}  // namespace netd
