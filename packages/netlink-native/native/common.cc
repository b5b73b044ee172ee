#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thread>

namespace netd {

namespace {

struct AsyncState {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  Task* task = nullptr;
};

void ExecuteCb(napi_env, void* data) {
  auto* st = static_cast<AsyncState*>(data);
  st->task->Execute();
}

// Settles `deferred` with the outcome of an executed `task`.
void Settle(napi_env env, napi_deferred deferred, Task* task) {
  if (task->error.err != 0) {
    napi_reject_deferred(env, deferred, MakeError(env, task->error));
    return;
  }
  napi_value v = task->Resolve(env);
  if (v == nullptr) {
    // Resolve threw (e.g. out of memory); hand the pending exception to the promise.
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_reject_deferred(env, deferred, exc);
  } else {
    napi_resolve_deferred(env, deferred, v);
  }
}

void CompleteCb(napi_env env, napi_status status, void* data) {
  auto* st = static_cast<AsyncState*>(data);
  if (status != napi_ok) {
    st->task->error = SysError{ECANCELED, "async_work", "the operation was cancelled"};
  }
  Settle(env, st->deferred, st->task);
  napi_delete_async_work(env, st->work);
  delete st->task;
  delete st;
}

const char* ErrnoName(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ERANGE: return "ERANGE";
    case ENOBUFS: return "ENOBUFS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ECANCELED: return "ECANCELED";
    case EMSGSIZE: return "EMSGSIZE";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    default: return "EUNKNOWN";
  }
}

}  // namespace

napi_value RunAsync(napi_env env, const char* name, Task* task) {
  auto* st = new AsyncState();
  st->task = task;
  napi_value promise, resourceName;
  napi_create_promise(env, &st->deferred, &promise);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resourceName);
  napi_create_async_work(env, nullptr, resourceName, ExecuteCb, CompleteCb, st, &st->work);
  napi_queue_async_work(env, st->work);
  return promise;
}

napi_value RunNow(napi_env env, Task* task) {
  napi_deferred deferred;
  napi_value promise;
  napi_create_promise(env, &deferred, &promise);
  task->Execute();
  Settle(env, deferred, task);
  delete task;
  return promise;
}

napi_value MakeError(napi_env env, const SysError& e) {
  std::string text = e.message.empty() ? std::string(strerror(e.err)) : e.message;
  std::string full = e.syscall + ": " + text + " (errno " + std::to_string(e.err) + ")";
  napi_value msg, err, v;
  napi_create_string_utf8(env, full.c_str(), full.size(), &msg);
  napi_create_error(env, nullptr, msg, &err);
  napi_create_int32(env, e.err, &v);
  napi_set_named_property(env, err, "errno", v);
  napi_create_string_utf8(env, ErrnoName(e.err), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "code", v);
  napi_create_string_utf8(env, e.syscall.c_str(), e.syscall.size(), &v);
  napi_set_named_property(env, err, "syscall", v);
  return err;
}

napi_value ThrowType(napi_env env, const std::string& message) {
  napi_throw_type_error(env, nullptr, message.c_str());
  return nullptr;
}

// Moves the calling thread into the namespace at `nsPath`; false with `error` set when the
// path does not open (O_NONBLOCK: a FIFO cannot block) or is not a network namespace.
static bool EnterNetns(const std::string& nsPath, SysError& error) {
  int fd = open(nsPath.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = SysError{errno, "open " + nsPath, ""};
    return false;
  }
  bool ok = setns(fd, CLONE_NEWNET) == 0;
  if (!ok) error = SysError{errno, "setns " + nsPath, ""};
  close(fd);
  return ok;
}

bool RunInNetns(const std::string& nsPath, SysError& error, const std::function<void()>& fn) {
  if (nsPath.empty()) {
    fn();
    return true;
  }
  bool ok = true;
  // The thread dies after fn, so its namespace change never leaks to a pool thread.
  std::thread worker([&]() {
    ok = EnterNetns(nsPath, error);
    if (ok) fn();
  });
  worker.join();
  return ok;
}

bool OnKernelFs(const std::string& path) {
  if (path.find("/..") != std::string::npos || path.find("//") != std::string::npos) return false;
  static const char* const kRunDirs[] = {"/run/netns/", "/var/run/netns/", "/run/docker/netns/", "/var/run/docker/netns/"};
  for (const char* dir : kRunDirs) {
    size_t n = strlen(dir);
    if (path.size() > n && path.compare(0, n, dir) == 0 && path.find('/', n) == std::string::npos) return true;
  }
  if (path.rfind("/proc/", 0) != 0 || path.size() < 14 || path.compare(path.size() - 7, 7, "/ns/net") != 0) return false;
  std::string pid = path.substr(6, path.size() - 13);
  return pid == "self" || pid == "thread-self" || (!pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos);
}

bool RunInNetnsHere(const std::string& nsPath, SysError& error, const std::function<void()>& fn) {
  int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (own < 0) {
    error = SysError{errno, "open /proc/thread-self/ns/net", ""};
    return false;
  }
  if (!EnterNetns(nsPath, error)) {
    close(own);
    return false;
  }
  fn();
  if (setns(own, CLONE_NEWNET) != 0) {
    perror("netd: cannot return the thread to its network namespace");
    abort();
  }
  close(own);
  return true;
}

bool GetString(napi_env env, napi_value v, std::string& out, bool allowNull) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (allowNull && (t == napi_null || t == napi_undefined)) {
    out.clear();
    return true;
  }
  if (t != napi_string) {
    ThrowType(env, "expected a string");
    return false;
  }
  size_t len = 0;
  napi_get_value_string_utf8(env, v, nullptr, 0, &len);
  out.resize(len);
  napi_get_value_string_utf8(env, v, out.data(), len + 1, &len);
  return true;
}

bool GetInt(napi_env env, napi_value v, int64_t& out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_number) {
    ThrowType(env, "expected a number");
    return false;
  }
  napi_get_value_int64(env, v, &out);
  return true;
}

bool GetBytes(napi_env env, napi_value v, std::vector<uint8_t>& out) {
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped) {
    ThrowType(env, "expected a Buffer or Uint8Array");
    return false;
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t offset;
  napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset);
  if (type != napi_uint8_array) {
    ThrowType(env, "expected a Buffer or Uint8Array");
    return false;
  }
  auto* p = static_cast<uint8_t*>(data);
  out.assign(p, p + length);
  return true;
}

bool GetBoolProp(napi_env env, napi_value obj, const char* name, bool& out) {
  napi_valuetype t;
  napi_typeof(env, obj, &t);
  if (t != napi_object) return true;
  napi_value v;
  napi_get_named_property(env, obj, name, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return true;
  if (t != napi_boolean) {
    ThrowType(env, std::string("option '") + name + "' must be a boolean");
    return false;
  }
  napi_get_value_bool(env, v, &out);
  return true;
}

bool GetStringProp(napi_env env, napi_value obj, const char* name, std::string& out) {
  napi_valuetype t;
  napi_typeof(env, obj, &t);
  if (t != napi_object) return true;
  napi_value v;
  napi_get_named_property(env, obj, name, &v);
  return GetString(env, v, out, true);
}

void SetFunction(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, exports, name, fn);
}

}  // namespace netd
