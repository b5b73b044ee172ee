// Network namespaces compatible with `ip netns` (bind mounts under /run/netns), and file
// access from a thread inside a namespace (per-namespace /proc/sys/net sysctls).
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "common.h"

namespace netd {
namespace {

const char* kRunDir = "/run/netns";

// As iproute2 does: make /run/netns a shared mount point so that namespace bind mounts
// propagate to other mount namespaces (and `ip netns` sees them).
bool PrepareRunDir(SysError& error) {
  if (mkdir(kRunDir, 0755) != 0 && errno != EEXIST) {
    error = SysError{errno, "mkdir /run/netns", ""};
    return false;
  }
  bool madeMount = false;
  while (mount("", kRunDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || madeMount) {
      error = SysError{errno, "mount --make-rshared /run/netns", ""};
      return false;
    }
    if (mount(kRunDir, kRunDir, "none", MS_BIND | MS_REC, nullptr) != 0) {
      error = SysError{errno, "mount --bind /run/netns", ""};
      return false;
    }
    madeMount = true;
  }
  return true;
}

void LoopbackUp(SysError& error) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    error = SysError{errno, "socket(AF_INET)", ""};
    return;
  }
  ifreq req{};
  strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &req) != 0) {
    error = SysError{errno, "ioctl(SIOCGIFFLAGS lo)", ""};
  } else {
    req.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &req) != 0) error = SysError{errno, "ioctl(SIOCSIFFLAGS lo)", ""};
  }
  close(s);
}

struct CreateTask : Task {
  std::string name;
  std::string path;

  void Execute() override {
    path = std::string(kRunDir) + "/" + name;
    if (!PrepareRunDir(error)) return;
    int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0) {
      error = SysError{errno, "create " + path, ""};
      return;
    }
    close(fd);
    std::thread worker([&]() {
      // unshare on a throwaway thread: only this thread enters the new namespace.
      if (unshare(CLONE_NEWNET) != 0) {
        error = SysError{errno, "unshare(CLONE_NEWNET)", ""};
        return;
      }
      if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
        error = SysError{errno, "mount --bind /proc/thread-self/ns/net " + path, ""};
        return;
      }
      LoopbackUp(error);
    });
    worker.join();
    if (error.err != 0) {
      umount2(path.c_str(), MNT_DETACH);
      unlink(path.c_str());
    }
  }

  napi_value Resolve(napi_env env) override {
    napi_value v;
    napi_create_string_utf8(env, path.c_str(), path.size(), &v);
    return v;
  }
};

struct DeleteTask : Task {
  std::string path;
  bool existed = true;

  void Execute() override {
    if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
      error = SysError{errno, "umount " + path, ""};
      return;
    }
    if (unlink(path.c_str()) != 0) {
      if (errno == ENOENT) {
        existed = false;
      } else {
        error = SysError{errno, "unlink " + path, ""};
      }
    }
  }

  napi_value Resolve(napi_env env) override {
    napi_value v;
    napi_get_boolean(env, existed, &v);
    return v;
  }
};

// True when `path` opens and is a network namespace (NS_GET_NSTYPE == CLONE_NEWNET).
struct CheckTask : Task {
  std::string path;
  bool isNetns = false;

  void Execute() override {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return;
    isNetns = ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET;
    close(fd);
  }

  napi_value Resolve(napi_env env) override {
    napi_value v;
    napi_get_boolean(env, isNetns, &v);
    return v;
  }
};

// "dev:ino" of `path` when it opens and is a network namespace, else null: the check and
// the identity in one pool hop (a create on a caller's namespace needs both).
struct IdentityTask : Task {
  std::string path;
  std::string identity;

  void Execute() override {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return;
    struct stat st;
    if (ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET && fstat(fd, &st) == 0) {
      identity = std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" + std::to_string(static_cast<unsigned long long>(st.st_ino));
    }
    close(fd);
  }

  napi_value Resolve(napi_env env) override {
    napi_value v;
    if (identity.empty()) {
      napi_get_null(env, &v);
    } else {
      napi_create_string_utf8(env, identity.data(), identity.size(), &v);
    }
    return v;
  }
};

// A descriptor of `path` (O_RDONLY|O_CLOEXEC) when it is a network namespace, else null:
// the check and the open in one pool hop, for IFLA_NET_NS_FD.
struct OpenTask : Task {
  std::string path;
  int fd = -1;

  void Execute() override {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0 && ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
      close(fd);
      fd = -1;
    }
  }

  napi_value Resolve(napi_env env) override {
    napi_value v;
    if (fd < 0) {
      napi_get_null(env, &v);
    } else {
      napi_create_int32(env, fd, &v);
    }
    return v;
  }
};

struct FileTask : Task {
  std::string nsPath;
  std::string file;
  std::string data;
  bool write = false;
  /** Runs on the calling (JS) thread: a sysctl file on a namespace path that cannot block. */
  bool here = false;

  void Execute() override {
    auto run = [&](const std::function<void()>& fn) { return here && !nsPath.empty() ? RunInNetnsHere(nsPath, error, fn) : RunInNetns(nsPath, error, fn); };
    run([&]() {
      int fd = open(file.c_str(), (write ? O_WRONLY | O_TRUNC : O_RDONLY) | O_CLOEXEC);
      if (fd < 0) {
        error = SysError{errno, "open " + file, ""};
        return;
      }
      if (write) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) error = SysError{errno, "write " + file, ""};
      } else {
        data.clear();
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0 && data.size() < (1u << 20)) data.append(buf, n);
        if (n < 0) error = SysError{errno, "read " + file, ""};
      }
      close(fd);
    });
  }

  napi_value Resolve(napi_env env) override {
    napi_value v;
    if (write) {
      napi_get_undefined(env, &v);
    } else {
      napi_create_string_utf8(env, data.c_str(), data.size(), &v);
    }
    return v;
  }
};

napi_value CreateNetns(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  auto* t = new CreateTask();
  if (argc < 1 || !GetString(env, argv[0], t->name)) {
    delete t;
    return argc < 1 ? ThrowType(env, "createNetns(name)") : nullptr;
  }
  if (t->name.empty() || t->name == "." || t->name == ".." || t->name.find('/') != std::string::npos) {
    delete t;
    return ThrowType(env, "createNetns: invalid namespace name");
  }
  return RunAsync(env, "netd.createNetns", t);
}

template <typename T>
napi_value PathCall(napi_env env, napi_callback_info info, const char* name, bool quick = false) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  auto* t = new T();
  if (argc < 1 || !GetString(env, argv[0], t->path) || t->path.empty()) {
    delete t;
    return ThrowType(env, std::string(name) + "(path): path must be a non-empty string");
  }
  if (quick && OnKernelFs(t->path)) return RunNow(env, t);
  return RunAsync(env, name, t);
}

napi_value DeleteNetns(napi_env env, napi_callback_info info) { return PathCall<DeleteTask>(env, info, "deleteNetns"); }
napi_value IsNetns(napi_env env, napi_callback_info info) { return PathCall<CheckTask>(env, info, "isNetns", true); }
napi_value OpenNetns(napi_env env, napi_callback_info info) { return PathCall<OpenTask>(env, info, "openNetns", true); }
napi_value NetnsIdentity(napi_env env, napi_callback_info info) { return PathCall<IdentityTask>(env, info, "netnsIdentity", true); }

napi_value FileCall(napi_env env, napi_callback_info info, bool write) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  auto* t = new FileTask();
  t->write = write;
  bool ok = argc >= (write ? 3u : 2u) && GetString(env, argv[0], t->nsPath, true) && GetString(env, argv[1], t->file) &&
            (!write || GetString(env, argv[2], t->data));
  if (!ok) {
    delete t;
    return write ? ThrowType(env, "writeFileInNetns(nsPath, file, data)") : ThrowType(env, "readFileInNetns(nsPath, file)");
  }
  // A sysctl under /proc/sys answers at once (the few that need RTNL retry the call instead of
  // sleeping on it), so it skips the pool when its namespace path is one that cannot block.
  bool sysctl = t->file.rfind("/proc/sys/", 0) == 0 && t->file.find("/..") == std::string::npos;
  if (sysctl && (t->nsPath.empty() || OnKernelFs(t->nsPath))) {
    t->here = true;
    return RunNow(env, t);
  }
  return RunAsync(env, write ? "netd.writeFileInNetns" : "netd.readFileInNetns", t);
}

napi_value ReadFileInNetns(napi_env env, napi_callback_info info) { return FileCall(env, info, false); }
napi_value WriteFileInNetns(napi_env env, napi_callback_info info) { return FileCall(env, info, true); }

}  // namespace

void InitNetns(napi_env env, napi_value exports) {
  SetFunction(env, exports, "createNetns", CreateNetns);
  SetFunction(env, exports, "deleteNetns", DeleteNetns);
  SetFunction(env, exports, "isNetns", IsNetns);
  SetFunction(env, exports, "netnsIdentity", NetnsIdentity);
  SetFunction(env, exports, "openNetns", OpenNetns);
  SetFunction(env, exports, "readFileInNetns", ReadFileInNetns);
  SetFunction(env, exports, "writeFileInNetns", WriteFileInNetns);
}

}  // namespace netd
