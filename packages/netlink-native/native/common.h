// Shared helpers of the netd native addon: the async-work wrapper that every call uses,
// error objects carrying errno, and running a function on a thread inside a namespace.
#pragma once

#include <node_api.h>

#include <functional>
#include <string>
#include <vector>

namespace netd {

// Result of a failed system call: errno plus the call's name (e.g. "setns").
struct SysError {
  int err = 0;
  std::string syscall;
  std::string message;  // extra text; strerror(err) when empty
};

// One asynchronous operation: `execute` runs on the libuv pool (never touches napi),
// `complete` runs on the JS thread and builds the resolved value.
struct Task {
  virtual ~Task() = default;
  virtual void Execute() = 0;
  virtual napi_value Resolve(napi_env env) = 0;
  SysError error;
};

// Queues `task` on the libuv pool and returns a Promise settled by it. Takes ownership.
napi_value RunAsync(napi_env env, const char* name, Task* task);

// Executes `task` on the calling (JS) thread and returns a Promise already settled by it.
// Only for tasks whose system calls return at once (no waiting in the kernel, no slow
// filesystem): it saves the two thread wake-ups of a pool hand-off. Takes ownership.
napi_value RunNow(napi_env env, Task* task);

// Builds an Error with `errno`, `code` (E-name) and `syscall` properties.
napi_value MakeError(napi_env env, const SysError& e);

// Throws a TypeError (for bad arguments) and returns nullptr.
napi_value ThrowType(napi_env env, const std::string& message);

// Runs `fn` on a fresh std::thread that has first entered the network namespace at
// `nsPath` (empty: runs `fn` on the calling thread, in the process's namespace). The calling
// thread never changes namespace. Returns false with `error` set if opening or entering the namespace fails.
bool RunInNetns(const std::string& nsPath, SysError& error, const std::function<void()>& fn);

// Where namespaces live on kernel-backed filesystems: /proc/PID/ns/net (procfs) and direct
// children of the runtimes' netns directories under /run (nsfs bind mounts on tmpfs). Opening
// them returns at once, so such work may run on the JS thread.
bool OnKernelFs(const std::string& path);

// Runs `fn` on the calling thread after entering the namespace at `nsPath` (on a kernel
// filesystem, see OnKernelFs), and returns the thread to its own namespace afterwards; a
// thread that cannot return aborts the process rather than run on in the wrong namespace.
// For short, non-blocking work (opening a socket): no thread is started and no pool hop taken.
bool RunInNetnsHere(const std::string& nsPath, SysError& error, const std::function<void()>& fn);

// Argument helpers; they throw a TypeError and return false on a wrong type.
bool GetString(napi_env env, napi_value v, std::string& out, bool allowNull = false);
bool GetInt(napi_env env, napi_value v, int64_t& out);
bool GetBytes(napi_env env, napi_value v, std::vector<uint8_t>& out);
bool GetBoolProp(napi_env env, napi_value obj, const char* name, bool& out);
bool GetStringProp(napi_env env, napi_value obj, const char* name, std::string& out);

void InitNetlink(napi_env env, napi_value exports);
void InitNft(napi_env env, napi_value exports);
void InitNetns(napi_env env, napi_value exports);
void InitLimits(napi_env env, napi_value exports);
void InitFdpass(napi_env env, napi_value exports);

void SetFunction(napi_env env, napi_value exports, const char* name, napi_callback cb);

}  // namespace netd
