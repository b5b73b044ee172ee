/* Bindings: one handed-over listening socket plus its target, with its flows and counters. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "proxy.h"

struct np_binding *np_binding_find(const char *id) {
  for (struct np_binding *b = np_bindings; b; b = b->next)
    if (strcmp(b->id, id) == 0) return b;
  return NULL;
}

int np_format_addr(const struct sockaddr_storage *ss, char *out, size_t n) {
  char ip[INET6_ADDRSTRLEN];
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *a = (const void *)ss;
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
    snprintf(out, n, "%s %u", ip, ntohs(a->sin_port));
    return 1;
  }
  if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const void *)ss;
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
    snprintf(out, n, "%s %u", ip, ntohs(a->sin6_port));
    return 1;
  }
  return 0;
}

/* The socket must be what the request says: an inet socket of the protocol, and for TCP
 * already listening (the daemon binds and listens; this process never binds). */
static const char *check_socket(int fd, int udp, int *family) {
  int type = 0, domain = 0, acc = 0;
  socklen_t l = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) != 0) return "handed-over fd is not a socket";
  l = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) != 0 || (domain != AF_INET && domain != AF_INET6)) return "handed-over socket is not IPv4 or IPv6";
  if (type != (udp ? SOCK_DGRAM : SOCK_STREAM)) return "handed-over socket does not match the protocol";
  if (!udp) {
    l = sizeof(int);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l) != 0 || !acc) return "handed-over TCP socket is not listening";
  }
  struct sockaddr_storage ss;
  socklen_t sl = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) return "handed-over socket has no address";
  if ((ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port) : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)) == 0) return "handed-over socket is not bound";
  *family = domain;
  return NULL;
}

int np_binding_add(const char *id, int udp, int fd, const struct sockaddr_storage *target, socklen_t tlen, const char **err) {
  int family = 0;
  if ((*err = check_socket(fd, udp, &family)) != NULL) return -1;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
    *err = "cannot make the socket non-blocking";
    return -1;
  }
  if (udp && np_udp_prepare(fd, family) != 0) {
    *err = "cannot enable packet info on the UDP socket";
    return -1;
  }
  struct np_binding *b = calloc(1, sizeof(*b));
  if (!b) {
    *err = "out of memory";
    return -1;
  }
  snprintf(b->id, sizeof(b->id), "%s", id);
  b->udp = udp;
  b->fd = fd;
  b->family = family;
  b->target = *target;
  b->target_len = tlen;
  b->h.kind = udp ? NP_UDP_LISTEN : NP_TCP_LISTEN;
  b->h.obj = b;
  if (np_watch(fd, EPOLLIN, &b->h) != 0) {
    *err = "cannot watch the socket";
    free(b);
    return -1;
  }
  b->next = np_bindings;
  if (np_bindings) np_bindings->prev = b;
  np_bindings = b;
  /* Connections that queued while no process accepted (proxy restart) are served now. */
  if (!udp) np_tcp_accept(b);
  else np_udp_listen_event(b);
  return 0;
}

void np_binding_remove(struct np_binding *b) {
  if (b->udp) np_udp_close_all(b);
  else np_tcp_close_all(b);
  epoll_ctl(np_epfd, EPOLL_CTL_DEL, b->fd, NULL);
  close(b->fd);
  if (b->prev) b->prev->next = b->next;
  else np_bindings = b->next;
  if (b->next) b->next->prev = b->prev;
  b->dead = 1;
  np_defer_free(b);
}
