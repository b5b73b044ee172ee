/* UDP forwarding: one connected upstream socket per client flow (client address plus the
 * local address it sent to), dropped after np_udp_idle seconds without traffic either way.
 * Replies leave through the listening socket with IP_PKTINFO / IPV6_PKTINFO naming the
 * address the client targeted, so a wildcard binding answers from the right address. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

#define BATCH 64

int np_udp_idle = NP_UDP_IDLE_SEC;
static char buf[65536];

int np_udp_prepare(int fd, int family) {
  int one = 1;
  if (family == AF_INET) return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
  return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
}

static void flow_close(struct np_flow *f) {
  struct np_binding *b = f->b;
  close(f->upstream);
  f->upstream = -1;
  if (f->prev) f->prev->next = f->next;
  else b->flows = f->next;
  if (f->next) f->next->prev = f->prev;
  b->nflows--;
  np_defer_free(f);
}

static struct np_flow *flow_get(struct np_binding *b, const struct sockaddr_storage *client, socklen_t clen, const struct sockaddr_storage *local, int ifindex) {
  for (struct np_flow *f = b->flows; f; f = f->next)
    if (f->client_len == clen && memcmp(&f->client, client, clen) == 0 && memcmp(&f->local, local, sizeof(*local)) == 0) return f;
  if (b->nflows >= NP_UDP_MAX_FLOWS) return NULL; /* dropped until a flow expires */
  int ufd = socket(b->target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (ufd < 0) return NULL;
  struct np_flow *f = calloc(1, sizeof(*f));
  if (!f || connect(ufd, (struct sockaddr *)&b->target, b->target_len) != 0) {
    free(f);
    close(ufd);
    return NULL;
  }
  f->b = b;
  f->client = *client;
  f->client_len = clen;
  f->local = *local;
  f->local_ifindex = ifindex;
  f->upstream = ufd;
  f->h = (struct np_handle){NP_UDP_UPSTREAM, f};
  if (np_watch(ufd, EPOLLIN, &f->h) != 0) {
    close(ufd);
    free(f);
    return NULL;
  }
  f->next = b->flows;
  if (b->flows) b->flows->prev = f;
  b->flows = f;
  b->nflows++;
  return f;
}

void np_udp_listen_event(struct np_binding *b) {
  time_t now = time(NULL);
  for (int i = 0; i < BATCH; i++) {
    struct sockaddr_storage client;
    union {
      char raw[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
      struct cmsghdr align;
    } cbuf;
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr mh = {.msg_name = &client, .msg_namelen = sizeof(client), .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.raw, .msg_controllen = sizeof(cbuf.raw)};
    ssize_t n = recvmsg(b->fd, &mh, MSG_DONTWAIT);
    if (n < 0) return;
    struct sockaddr_storage local;
    memset(&local, 0, sizeof(local));
    int ifindex = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
      if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
        struct in_pktinfo pi;
        memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
        local.ss_family = AF_INET;
        ((struct sockaddr_in *)&local)->sin_addr = pi.ipi_addr;
        ifindex = pi.ipi_ifindex;
      } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
        struct in6_pktinfo pi;
        memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
        local.ss_family = AF_INET6;
        ((struct sockaddr_in6 *)&local)->sin6_addr = pi.ipi6_addr;
        ifindex = (int)pi.ipi6_ifindex;
      }
    }
    struct np_flow *f = flow_get(b, &client, mh.msg_namelen, &local, ifindex);
    if (!f) continue;
    f->last = now;
    if (send(f->upstream, buf, (size_t)n, MSG_DONTWAIT) == n) {
      b->c.packets_in++;
      b->c.bytes_in += (uint64_t)n;
    }
  }
}

void np_udp_upstream_event(struct np_flow *f) {
  struct np_binding *b = f->b;
  for (int i = 0; i < BATCH; i++) {
    ssize_t n = recv(f->upstream, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      continue; /* ECONNREFUSED from an ICMP error: the flow stays until idle */
    }
    union {
      char raw[CMSG_SPACE(sizeof(struct in6_pktinfo))];
      struct cmsghdr align;
    } cbuf;
    memset(&cbuf, 0, sizeof(cbuf));
    struct iovec iov = {.iov_base = buf, .iov_len = (size_t)n};
    struct msghdr mh = {.msg_name = &f->client, .msg_namelen = f->client_len, .msg_iov = &iov, .msg_iovlen = 1};
    struct cmsghdr *cm = (struct cmsghdr *)cbuf.raw;
    if (f->local.ss_family == AF_INET) {
      struct in_pktinfo pi = {.ipi_ifindex = 0, .ipi_spec_dst = ((struct sockaddr_in *)&f->local)->sin_addr};
      mh.msg_control = cbuf.raw;
      mh.msg_controllen = CMSG_SPACE(sizeof(pi));
      cm->cmsg_level = IPPROTO_IP;
      cm->cmsg_type = IP_PKTINFO;
      cm->cmsg_len = CMSG_LEN(sizeof(pi));
      memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
    } else if (f->local.ss_family == AF_INET6) {
      struct in6_pktinfo pi = {.ipi6_addr = ((struct sockaddr_in6 *)&f->local)->sin6_addr};
      /* The interface matters only for link-local sources; elsewhere routing picks it. */
      if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr)) pi.ipi6_ifindex = (unsigned)f->local_ifindex;
      mh.msg_control = cbuf.raw;
      mh.msg_controllen = CMSG_SPACE(sizeof(pi));
      cm->cmsg_level = IPPROTO_IPV6;
      cm->cmsg_type = IPV6_PKTINFO;
      cm->cmsg_len = CMSG_LEN(sizeof(pi));
      memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
    }
    if (sendmsg(b->fd, &mh, MSG_DONTWAIT) == n) {
      b->c.packets_out++;
      b->c.bytes_out += (uint64_t)n;
    }
    f->last = time(NULL);
  }
}

void np_udp_sweep(time_t now) {
  for (struct np_binding *b = np_bindings; b; b = b->next) {
    if (!b->udp) continue;
    for (struct np_flow *f = b->flows, *next; f; f = next) {
      next = f->next;
      if (now - f->last >= np_udp_idle) flow_close(f);
    }
  }
}

void np_udp_close_all(struct np_binding *b) {
  while (b->flows) flow_close(b->flows);
}
