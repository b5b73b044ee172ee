// Sockets for the userland proxy (netd-proxy): binding a published port's listening socket
// (so the daemon, not the proxy, reserves the port and sees bind conflicts) and the unix
// control channel that hands such sockets over with SCM_RIGHTS.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>

#include "common.h"

namespace netd {
namespace {

constexpr size_t kMaxReply = 4 << 20;

// bindSocket(protocol, ip, port, nsPath) -> fd of a bound (TCP: listening) socket.
struct BindTask : Task {
  std::string protocol, ip, ns;
  int port = 0;
  int fd = -1;

  void Execute() override {
    RunInNetns(ns, error, [this]() {
      sockaddr_storage ss{};
      socklen_t len;
      auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
      if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<uint16_t>(port));
        len = sizeof(*v4);
      } else if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<uint16_t>(port));
        len = sizeof(*v6);
      } else {
        error = SysError{EINVAL, "inet_pton", "not an IP address: " + ip};
        return;
      }
      bool udp = protocol == "udp";
      int s = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
      if (s < 0) {
        error = SysError{errno, "socket", ""};
        return;
      }
      int one = 1;
      // As Node's net.Server: TIME_WAIT of old flows must not block a re-publish.
      if (!udp) setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      // IPv6 sockets are v6-only, so 0.0.0.0 and :: can go to different containers.
      if (ss.ss_family == AF_INET6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
      if (bind(s, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        error = SysError{errno, "bind", ""};
        close(s);
        return;
      }
      if (!udp && listen(s, 511) != 0) {
        error = SysError{errno, "listen", ""};
        close(s);
        return;
      }
      fd = s;
    });
  }
  napi_value Resolve(napi_env env) override {
    napi_value v;
    napi_create_int32(env, fd, &v);
    return v;
  }
};

napi_value BindSocket(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 3) return ThrowType(env, "bindSocket(protocol, ip, port, nsPath?)");
  auto* t = new BindTask();
  int64_t port = 0;
  if (!GetString(env, argv[0], t->protocol) || !GetString(env, argv[1], t->ip) || !GetInt(env, argv[2], port) || (argc > 3 && !GetString(env, argv[3], t->ns, true))) {
    delete t;
    return nullptr;
  }
  if ((t->protocol != "tcp" && t->protocol != "udp") || port < 1 || port > 65535) {
    delete t;
    return ThrowType(env, "protocol must be tcp or udp and port 1..65535");
  }
  t->port = static_cast<int>(port);
  // In the daemon's own namespace, socket/bind/listen return at once: no pool hand-off, and no
  // thread to setns in.
  return t->ns.empty() ? RunNow(env, t) : RunAsync(env, "bindSocket", t);
}

// controlConnect(path, timeoutMs) -> fd of a SOCK_SEQPACKET unix socket with send/receive timeouts.
struct ConnectTask : Task {
  std::string path;
  int timeoutMs = 2000;
  int fd = -1;
  void Execute() override {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof(sa.sun_path)) {
      error = SysError{ENAMETOOLONG, "connect", path};
      return;
    }
    strcpy(sa.sun_path, path.c_str());
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (s < 0) {
      error = SysError{errno, "socket(AF_UNIX)", ""};
      return;
    }
    timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
      error = SysError{errno, "connect " + path, ""};
      close(s);
      return;
    }
    fd = s;
  }
  napi_value Resolve(napi_env env) override {
    napi_value v;
    napi_create_int32(env, fd, &v);
    return v;
  }
};

napi_value ControlConnect(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  auto* t = new ConnectTask();
  int64_t timeout = 2000;
  if (argc < 1 || !GetString(env, argv[0], t->path) || (argc > 1 && !GetInt(env, argv[1], timeout))) {
    delete t;
    return argc < 1 ? ThrowType(env, "controlConnect(path, timeoutMs?)") : nullptr;
  }
  t->timeoutMs = static_cast<int>(timeout);
  return RunAsync(env, "controlConnect", t);
}

// Sends one request message; `pass` >= 0 travels with it by SCM_RIGHTS.
bool SendRequest(int fd, const std::string& text, int pass, SysError& error) {
  iovec iov{const_cast<char*>(text.data()), text.size()};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
  if (pass >= 0) {
    memset(cbuf, 0, sizeof(cbuf));
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof(cbuf);
    cmsghdr* cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &pass, sizeof(int));
  }
  if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
    error = SysError{errno, "sendmsg", ""};
    return false;
  }
  return true;
}

// Reads one reply message.
bool RecvReply(int fd, std::string& reply, SysError& error) {
  // Peek at the reply's length first: a buffer of kMaxReply per request (zeroed, 1,024
  // pages faulted in and unmapped again) cost more CPU than the whole exchange.
  ssize_t want = recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC);
  if (want < 0) {
    error = SysError{errno, "recv", ""};
    return false;
  }
  reply.resize(std::min(static_cast<size_t>(want > 0 ? want : 1), kMaxReply));
  ssize_t n = recv(fd, reply.data(), reply.size(), 0);
  if (n < 0) {
    error = SysError{errno, "recv", ""};
    return false;
  }
  if (n == 0) {
    error = SysError{ECONNRESET, "recv", "the proxy closed the control connection"};
    return false;
  }
  reply.resize(static_cast<size_t>(n));
  return true;
}

// Requests sent back to back before their replies are read, so the proxy handles a whole
// chunk in one wake-up; the chunk bounds the replies queued on our socket.
constexpr size_t kChunk = 64;

// controlRequest(fd, text, passFd) -> reply text; controlRequests(fd, texts, passFds) -> replies.
struct RequestTask : Task {
  int fd = -1;
  bool many = false;
  std::vector<std::string> texts, replies;
  std::vector<int> passes;
  void Execute() override {
    replies.resize(texts.size());
    for (size_t at = 0; at < texts.size(); at += kChunk) {
      size_t end = std::min(texts.size(), at + kChunk);
      for (size_t i = at; i < end; i++)
        if (!SendRequest(fd, texts[i], passes[i], error)) return;
      for (size_t i = at; i < end; i++)
        if (!RecvReply(fd, replies[i], error)) return;
    }
  }
  napi_value Resolve(napi_env env) override {
    auto str = [env](const std::string& r) {
      napi_value v;
      napi_create_string_utf8(env, r.data(), r.size(), &v);
      return v;
    };
    if (!many) return str(replies.at(0));
    napi_value arr;
    napi_create_array_with_length(env, replies.size(), &arr);
    for (size_t i = 0; i < replies.size(); i++) napi_set_element(env, arr, static_cast<uint32_t>(i), str(replies[i]));
    return arr;
  }
};

napi_value ControlRequest(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return ThrowType(env, "controlRequest(fd, text, passFd?)");
  auto* t = new RequestTask();
  int64_t fd = -1, pass = -1;
  t->texts.resize(1);
  if (!GetInt(env, argv[0], fd) || !GetString(env, argv[1], t->texts[0]) || (argc > 2 && !GetInt(env, argv[2], pass))) {
    delete t;
    return nullptr;
  }
  t->fd = static_cast<int>(fd);
  t->passes.push_back(static_cast<int>(pass));
  return RunAsync(env, "controlRequest", t);
}

napi_value ControlRequests(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const char* usage = "controlRequests(fd, texts, passFds): texts and passFds are arrays of one length";
  bool isArr = false, isArr2 = false;
  if (argc < 3 || napi_is_array(env, argv[1], &isArr) != napi_ok || napi_is_array(env, argv[2], &isArr2) != napi_ok || !isArr || !isArr2) return ThrowType(env, usage);
  uint32_t n = 0, n2 = 0;
  napi_get_array_length(env, argv[1], &n);
  napi_get_array_length(env, argv[2], &n2);
  if (n != n2 || n == 0) return ThrowType(env, usage);
  auto* t = new RequestTask();
  t->many = true;
  t->texts.resize(n);
  t->passes.resize(n);
  int64_t fd = -1;
  bool ok = GetInt(env, argv[0], fd);
  for (uint32_t i = 0; ok && i < n; i++) {
    napi_value text, pass;
    int64_t p = -1;
    ok = napi_get_element(env, argv[1], i, &text) == napi_ok && napi_get_element(env, argv[2], i, &pass) == napi_ok && GetString(env, text, t->texts[i]) && GetInt(env, pass, p);
    t->passes[i] = static_cast<int>(p);
  }
  if (!ok) {
    delete t;
    return nullptr;
  }
  t->fd = static_cast<int>(fd);
  return RunAsync(env, "controlRequests", t);
}

// closeFd(fd): closes a descriptor from bindSocket or controlConnect.
napi_value CloseFd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t fd = -1;
  if (argc < 1 || !GetInt(env, argv[0], fd)) return argc < 1 ? ThrowType(env, "closeFd(fd)") : nullptr;
  if (fd >= 0) close(static_cast<int>(fd));
  return nullptr;
}

}  // namespace

void InitFdpass(napi_env env, napi_value exports) {
  SetFunction(env, exports, "bindSocket", BindSocket);
  SetFunction(env, exports, "controlConnect", ControlConnect);
  SetFunction(env, exports, "controlRequest", ControlRequest);
  SetFunction(env, exports, "controlRequests", ControlRequests);
  SetFunction(env, exports, "closeFd", CloseFd);
}

}  // namespace netd
