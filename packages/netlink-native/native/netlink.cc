// NETLINK sockets opened inside a network namespace, and request/response exchanges on
// the libuv pool. Encoding and decoding of messages is done in TypeScript.
#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <set>

#include "common.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace netd {
namespace {

struct OpenTask : Task {
  std::string nsPath;
  int protocol = 0;
  int64_t timeoutMs = 10000;
  int fd = -1;
  // On the calling (JS) thread: enter, open, return (see RunInNetnsHere).
  bool here = false;

  void Execute() override {
    auto make = [&]() {
      int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
      if (s < 0) {
        error = SysError{errno, "socket(AF_NETLINK)", ""};
        return;
      }
      sockaddr_nl local{};
      local.nl_family = AF_NETLINK;
      int one = 1;
      timeval tv{};
      tv.tv_sec = timeoutMs / 1000;
      tv.tv_usec = (timeoutMs % 1000) * 1000;
      if (bind(s, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
        error = SysError{errno, "bind(AF_NETLINK)", ""};
      } else if (setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) != 0) {
        error = SysError{errno, "setsockopt(NETLINK_EXT_ACK)", ""};
      } else if (setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) != 0) {
        error = SysError{errno, "setsockopt(NETLINK_CAP_ACK)", ""};
      } else if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
        error = SysError{errno, "setsockopt(SO_RCVTIMEO)", ""};
      }
      if (error.err != 0) {
        close(s);
        return;
      }
      fd = s;
    };
    bool entered = here ? RunInNetnsHere(nsPath, error, make) : RunInNetns(nsPath, error, make);
    if (!entered) fd = -1;
  }

  napi_value Resolve(napi_env env) override {
    napi_value v;
    napi_create_int32(env, fd, &v);
    return v;
  }
};

// The sequence numbers of the messages in `request`; false (with `error`) when it is not a
// sequence of complete netlink messages.
bool PendingSeqs(const std::vector<uint8_t>& request, std::set<uint32_t>& pending, SysError& error) {
  size_t off = 0;
  while (off + sizeof(nlmsghdr) <= request.size()) {
    nlmsghdr h;
    memcpy(&h, request.data() + off, sizeof(h));
    if (h.nlmsg_len < sizeof(nlmsghdr) || off + h.nlmsg_len > request.size()) break;
    pending.insert(h.nlmsg_seq);
    off += NLMSG_ALIGN(h.nlmsg_len);
  }
  if (pending.empty() || off != request.size()) {
    error = SysError{EINVAL, "transact", "the request is not a sequence of complete netlink messages"};
    return false;
  }
  return true;
}

bool SendRequest(int fd, const std::vector<uint8_t>& request, SysError& error) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) error = SysError{errno, "sendto(netlink)", ""};
  return sent >= 0;
}

// Reads reply datagrams until every pending message is answered by NLMSG_ERROR (an ACK or an
// error) or NLMSG_DONE (end of a dump). With `flags` MSG_DONTWAIT it stops at the first empty
// read and returns false without an error, leaving `pending` with what is still unanswered.
bool ReceiveReplies(int fd, int flags, std::set<uint32_t>& pending, std::vector<std::vector<uint8_t>>& replies, SysError& error) {
  while (!pending.empty()) {
    ssize_t size = recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC | flags);
    if (size < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      if ((flags & MSG_DONTWAIT) != 0 && (e == EAGAIN || e == EWOULDBLOCK)) return false;
      error = SysError{e, "recv(netlink)", e == EAGAIN ? "no reply from the kernel before the timeout" : ""};
      return false;
    }
    std::vector<uint8_t> buf(static_cast<size_t>(size));
    ssize_t got = recv(fd, buf.data(), buf.size(), flags);
    if (got < 0) {
      if (errno == EINTR) continue;
      error = SysError{errno, "recv(netlink)", ""};
      return false;
    }
    buf.resize(static_cast<size_t>(got));
    size_t p = 0;
    while (p + sizeof(nlmsghdr) <= buf.size()) {
      nlmsghdr h;
      memcpy(&h, buf.data() + p, sizeof(h));
      if (h.nlmsg_len < sizeof(nlmsghdr) || p + h.nlmsg_len > buf.size()) break;
      if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_DONE) pending.erase(h.nlmsg_seq);
      p += NLMSG_ALIGN(h.nlmsg_len);
    }
    replies.push_back(std::move(buf));
  }
  return true;
}

napi_value RepliesArray(napi_env env, const std::vector<std::vector<uint8_t>>& replies) {
  napi_value arr;
  napi_create_array_with_length(env, replies.size(), &arr);
  for (size_t i = 0; i < replies.size(); i++) {
    napi_value b;
    void* data;
    if (napi_create_buffer_copy(env, replies[i].size(), replies[i].data(), &data, &b) != napi_ok) return nullptr;
    napi_set_element(env, arr, static_cast<uint32_t>(i), b);
  }
  return arr;
}

// Sends one datagram and collects every reply datagram (on the libuv pool). With `sent` set
// the request already went out and some replies may be in `replies`: only the rest is read.
struct TransactTask : Task {
  int fd = -1;
  bool sent = false;
  std::vector<uint8_t> request;
  std::set<uint32_t> pending;
  std::vector<std::vector<uint8_t>> replies;

  void Execute() override {
    if (!sent && (!PendingSeqs(request, pending, error) || !SendRequest(fd, request, error))) return;
    ReceiveReplies(fd, 0, pending, replies, error);
  }

  napi_value Resolve(napi_env env) override { return RepliesArray(env, replies); }
};

// openNetlink(protocol, nsPath | null, timeoutMs?) -> Promise<fd>
napi_value OpenNetlink(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return ThrowType(env, "openNetlink(protocol, nsPath, timeoutMs?)");
  auto* t = new OpenTask();
  int64_t proto = 0;
  if (!GetInt(env, argv[0], proto) || !GetString(env, argv[1], t->nsPath, true)) {
    delete t;
    return nullptr;
  }
  t->protocol = static_cast<int>(proto);
  if (argc >= 3) {
    napi_valuetype vt;
    napi_typeof(env, argv[2], &vt);
    if (vt != napi_undefined && !GetInt(env, argv[2], t->timeoutMs)) {
      delete t;
      return nullptr;
    }
    if (t->timeoutMs <= 0) t->timeoutMs = 10000;
  }
  // A sandbox's namespace: socket, bind and setsockopt return at once, so the socket is opened
  // right here instead of on a pool thread that starts a thread to enter the namespace.
  if (!t->nsPath.empty() && OnKernelFs(t->nsPath)) {
    t->here = true;
    return RunNow(env, t);
  }
  return RunAsync(env, "netd.openNetlink", t);
}

// The TransactTask of a transact/transactInline call's (fd, request); nullptr after throwing.
TransactTask* TaskFromArgs(napi_env env, napi_callback_info info, const char* usage) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) {
    ThrowType(env, usage);
    return nullptr;
  }
  auto* t = new TransactTask();
  int64_t fd = -1;
  if (!GetInt(env, argv[0], fd) || !GetBytes(env, argv[1], t->request)) {
    delete t;
    return nullptr;
  }
  t->fd = static_cast<int>(fd);
  return t;
}

// transact(fd, request) -> Promise<Buffer[]>
napi_value Transact(napi_env env, napi_callback_info info) {
  TransactTask* t = TaskFromArgs(env, info, "transact(fd, request)");
  return t ? RunAsync(env, "netd.transact", t) : nullptr;
}

// transactInline(fd, request) -> Buffer[] | Promise<Buffer[]>: the same exchange, sent from
// the calling thread. For requests rtnetlink answers inside sendmsg (address, route and
// neighbour changes, link creation, single-object gets), the replies are queued before
// sendto returns and come back at once, with no hand-off to the libuv pool; replies not there
// yet are awaited on the pool. Not for requests whose processing waits in the kernel (a link
// delete or a link taken down waits for an RCU grace period): sendto would hold the JS thread.
napi_value TransactInline(napi_env env, napi_callback_info info) {
  TransactTask* t = TaskFromArgs(env, info, "transactInline(fd, request)");
  if (!t) return nullptr;
  t->sent = true;
  bool answered = PendingSeqs(t->request, t->pending, t->error) && SendRequest(t->fd, t->request, t->error) &&
                  ReceiveReplies(t->fd, MSG_DONTWAIT, t->pending, t->replies, t->error);
  // Sent, no error, replies still due: the pool waits for the rest.
  if (!answered && t->error.err == 0) return RunAsync(env, "netd.transact", t);
  napi_value result = nullptr;
  if (t->error.err != 0) napi_throw(env, MakeError(env, t->error));
  else result = RepliesArray(env, t->replies);
  delete t;
  return result;
}

// closeNetlink(fd): synchronous; close(2) on a netlink socket does not block.
napi_value CloseNetlink(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t fd = -1;
  if (argc < 1 || !GetInt(env, argv[0], fd)) return nullptr;
  if (fd >= 0) close(static_cast<int>(fd));
  return nullptr;
}

}  // namespace

void InitNetlink(napi_env env, napi_value exports) {
  SetFunction(env, exports, "openNetlink", OpenNetlink);
  SetFunction(env, exports, "transact", Transact);
  SetFunction(env, exports, "transactInline", TransactInline);
  SetFunction(env, exports, "closeNetlink", CloseNetlink);
}

}  // namespace netd
