/* The control socket: a unix SOCK_SEQPACKET listener, one message per request, one per reply.
 * Requests (ASCII, single spaces, validated here even though the daemon validates too):
 *   add ID tcp|udp TARGET_IP TARGET_PORT   + exactly one listening socket (SCM_RIGHTS)
 *   remove ID | list | stats | ping | quit
 * Replies: "ok[ ...]" with one line per binding for list/stats, or "err CODE text".
 * A malformed request is refused and logged; every other binding keeps serving. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proxy.h"

#define MAX_REQ 512
#define MAX_FDS 4

struct client {
  int fd;
  struct np_handle h;
};

static char path_copy[sizeof(((struct sockaddr_un *)0)->sun_path)];

int np_control_open(const char *path) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(sa.sun_path)) {
    np_log("socket path too long: %s", path);
    return -1;
  }
  strcpy(sa.sun_path, path);
  strcpy(path_copy, path);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  /* A live proxy on this path keeps it: a second one exits instead of stealing it. */
  int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
    np_log("another proxy already serves %s", path);
    close(probe);
    close(fd);
    return -1;
  }
  if (probe >= 0) close(probe);
  unlink(path);
  mode_t old = umask(0177);
  int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
  umask(old);
  if (rc != 0 || listen(fd, 16) != 0) {
    np_log("bind %s: %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

void np_control_accept(int lfd) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    struct client *c = calloc(1, sizeof(*c));
    if (!c) {
      close(fd);
      continue;
    }
    c->fd = fd;
    c->h.kind = NP_CONTROL_CLIENT;
    c->h.obj = c;
    np_watch(fd, EPOLLIN, &c->h);
  }
}

static int valid_id(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > NP_ID_MAX) return 0;
  for (; *s; s++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/[]-", *s)) return 0;
  return 1;
}

static int parse_target(const char *ip, const char *port, struct sockaddr_storage *ss, socklen_t *len) {
  char *end;
  long p = strtol(port, &end, 10);
  if (*port == '\0' || *end != '\0' || p < 1 || p > 65535) return 0;
  memset(ss, 0, sizeof(*ss));
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)p);
    *len = sizeof(*v4);
    return 1;
  }
  if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)p);
    *len = sizeof(*v6);
    return 1;
  }
  return 0;
}

static void reply(struct client *c, const char *text, size_t n) { send(c->fd, text, n, MSG_DONTWAIT | MSG_NOSIGNAL); }

/* Every refusal is logged too: the daemon validated first, so one reaching here is a bug or a foreign client. */
static void reply_str(struct client *c, const char *text) {
  if (strncmp(text, "err ", 4) == 0) np_log("refused a request: %s", text + 4);
  reply(c, text, strlen(text));
}

/* One line per binding; `stats` adds the counters. */
static void reply_table(struct client *c, int stats) {
  size_t cap = 4096, len = 0;
  char *out = malloc(cap);
  if (!out) return reply_str(c, "err ENOMEM out of memory");
  len += (size_t)snprintf(out, cap, "ok");
  for (struct np_binding *b = np_bindings; b; b = b->next) {
    char line[512], target[80], local[80];
    struct sockaddr_storage ls;
    socklen_t ll = sizeof(ls);
    np_format_addr(&b->target, target, sizeof(target));
    if (getsockname(b->fd, (struct sockaddr *)&ls, &ll) != 0 || !np_format_addr(&ls, local, sizeof(local))) strcpy(local, "? 0");
    int n = stats ? snprintf(line, sizeof(line), "\n%s %s %s %s conns=%llu active=%llu refused=%llu bytes_in=%llu bytes_out=%llu packets_in=%llu packets_out=%llu flows=%u", b->id, b->udp ? "udp" : "tcp", local, target,
                             (unsigned long long)b->c.conns_total, (unsigned long long)b->c.conns_active, (unsigned long long)b->c.refused, (unsigned long long)b->c.bytes_in, (unsigned long long)b->c.bytes_out,
                             (unsigned long long)b->c.packets_in, (unsigned long long)b->c.packets_out, b->nflows)
                  : snprintf(line, sizeof(line), "\n%s %s %s %s", b->id, b->udp ? "udp" : "tcp", local, target);
    if (len + (size_t)n + 1 > cap) {
      cap = (cap + (size_t)n) * 2;
      char *grown = realloc(out, cap);
      if (!grown) break;
      out = grown;
    }
    memcpy(out + len, line, (size_t)n);
    len += (size_t)n;
  }
  reply(c, out, len);
  free(out);
}

static void handle(struct client *c, char *msg, int *fds, int nfds) {
  char *argv[8];
  int argc = 0;
  for (char *save = NULL, *t = strtok_r(msg, " ", &save); t && argc < 8; t = strtok_r(NULL, " ", &save)) argv[argc++] = t;
  if (argc == 0) return reply_str(c, "err EINVAL empty request");
  int is_add = strcmp(argv[0], "add") == 0;
  if (!is_add && nfds > 0) return reply_str(c, "err EINVAL only add carries a socket");
  if (is_add) {
    if (argc != 5) return reply_str(c, "err EINVAL usage: add ID tcp|udp TARGET_IP TARGET_PORT");
    if (nfds != 1) return reply_str(c, "err EINVAL add needs exactly one socket");
    if (!valid_id(argv[1])) return reply_str(c, "err EINVAL bad binding id");
    int udp = strcmp(argv[2], "udp") == 0;
    if (!udp && strcmp(argv[2], "tcp") != 0) return reply_str(c, "err EINVAL protocol must be tcp or udp");
    struct sockaddr_storage target;
    socklen_t tlen;
    if (!parse_target(argv[3], argv[4], &target, &tlen)) return reply_str(c, "err EINVAL bad target address or port");
    if (np_binding_find(argv[1])) return reply_str(c, "err EEXIST binding id already present");
    const char *err = NULL;
    if (np_binding_add(argv[1], udp, fds[0], &target, tlen, &err) != 0) {
      char buf[160];
      snprintf(buf, sizeof(buf), "err EINVAL %s", err ? err : "cannot add binding");
      return reply_str(c, buf);
    }
    fds[0] = -1; /* owned by the binding now */
    np_log("added %s %s -> %s:%s", argv[1], argv[2], argv[3], argv[4]);
    return reply_str(c, "ok");
  }
  if (strcmp(argv[0], "remove") == 0 && argc == 2) {
    struct np_binding *b = np_binding_find(argv[1]);
    if (!b) return reply_str(c, "err ENOENT no such binding");
    np_binding_remove(b);
    np_log("removed %s", argv[1]);
    return reply_str(c, "ok");
  }
  if (strcmp(argv[0], "list") == 0 && argc == 1) return reply_table(c, 0);
  if (strcmp(argv[0], "stats") == 0 && argc == 1) return reply_table(c, 1);
  if (strcmp(argv[0], "ping") == 0 && argc == 1) {
    char buf[64];
    snprintf(buf, sizeof(buf), "ok %d", (int)getpid());
    return reply_str(c, buf);
  }
  if (strcmp(argv[0], "quit") == 0 && argc == 1) {
    while (np_bindings) np_binding_remove(np_bindings);
    reply_str(c, "ok");
    unlink(path_copy);
    np_log("quit on request");
    exit(0);
  }
  reply_str(c, "err EINVAL unknown request");
}

void np_control_read(struct np_handle *h) {
  struct client *c = h->obj;
  for (;;) {
    char buf[MAX_REQ + 1];
    union {
      char raw[CMSG_SPACE(sizeof(int) * MAX_FDS)];
      struct cmsghdr align;
    } cbuf;
    struct iovec iov = {.iov_base = buf, .iov_len = MAX_REQ};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.raw, .msg_controllen = sizeof(cbuf.raw)};
    ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    int fds[MAX_FDS], nfds = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
      if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
      int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      for (int i = 0; i < k && nfds < MAX_FDS; i++) memcpy(&fds[nfds++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
    }
    if (n <= 0) {
      for (int i = 0; i < nfds; i++) close(fds[i]);
      close(c->fd); /* also leaves epoll */
      free(c);
      return;
    }
    buf[n] = '\0';
    int printable = (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) == 0;
    for (ssize_t i = 0; i < n && printable; i++)
      if (buf[i] < 0x20 || buf[i] > 0x7e) printable = 0;
    if (!printable) {
      np_log("malformed control message (%zd bytes, not one printable line)", n);
      reply_str(c, "err EINVAL malformed message");
    } else {
      handle(c, buf, fds, nfds);
    }
    for (int i = 0; i < nfds; i++)
      if (fds[i] >= 0) close(fds[i]);
  }
}
