/* UDP forwarding: one connected upstream socket per client flow (client address plus the
 * local address it sent to), dropped after np_udp_idle seconds without traffic either way.
 * Replies leave through the listening socket with IP_PKTINFO / IPV6_PKTINFO naming the
 * address the client targeted, so a wildcard binding answers from the right address.
 * Datagrams move in batches (recvmmsg / sendmmsg): one call per batch each way, not one
 * per datagram, and no extra call to find the queue empty. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

#define BATCH 16
#define SLOT 65536 /* the largest datagram */
#define CBUF (CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)))

int np_udp_idle = NP_UDP_IDLE_SEC;

/* BATCH slots of SLOT bytes, mapped once, untouched (no RSS) until datagrams land there;
 * pages that large datagrams touched are given back at the next sweep. */
static char *arena;
static int arena_big;
static struct mmsghdr msgs[BATCH];
static struct iovec iovs[BATCH];
static struct sockaddr_storage names[BATCH];
static union {
  char raw[CBUF];
  struct cmsghdr align;
} cbufs[BATCH];

static int arena_ready(void) {
  if (arena) return 1;
  void *p = mmap(NULL, (size_t)BATCH * SLOT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 0;
  arena = p;
  return 1;
}

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

static socklen_t addr_len(const struct sockaddr_storage *ss) {
  return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
}

/* Same client and same local address: the fields that matter only, not the padding. */
static int same_flow(const struct np_flow *f, const struct sockaddr_storage *client, socklen_t clen, const struct sockaddr_storage *local) {
  if (f->client_len != clen || memcmp(&f->client, client, clen) != 0) return 0;
  if (f->local.ss_family != local->ss_family) return 0;
  if (local->ss_family == AF_INET) return ((const struct sockaddr_in *)&f->local)->sin_addr.s_addr == ((const struct sockaddr_in *)local)->sin_addr.s_addr;
  if (local->ss_family == AF_INET6) return memcmp(&((const struct sockaddr_in6 *)&f->local)->sin6_addr, &((const struct sockaddr_in6 *)local)->sin6_addr, 16) == 0;
  return 1;
}

static struct np_flow *flow_get(struct np_binding *b, const struct sockaddr_storage *client, socklen_t clen, const struct sockaddr_storage *local, int ifindex) {
  for (struct np_flow *f = b->flows; f; f = f->next) {
    if (!same_flow(f, client, clen, local)) continue;
    if (f != b->flows) { /* most recently used first: a busy flow is found at once */
      f->prev->next = f->next;
      if (f->next) f->next->prev = f->prev;
      f->prev = NULL;
      f->next = b->flows;
      b->flows->prev = f;
      b->flows = f;
    }
    return f;
  }
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
  memcpy(&f->client, client, clen);
  f->client_len = clen;
  memcpy(&f->local, local, addr_len(local));
  f->local.ss_family = local->ss_family;
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

/* Points message i at its slot, for `len` bytes of a received datagram or a full slot. */
static void slot(int i, size_t len) {
  iovs[i].iov_base = arena + (size_t)i * SLOT;
  iovs[i].iov_len = len;
  memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
  msgs[i].msg_hdr.msg_iov = &iovs[i];
  msgs[i].msg_hdr.msg_iovlen = 1;
}

static void note_size(unsigned len) {
  if (len > 4096) arena_big = 1;
}

/* Sends msgs[from, to) (all to one flow's connected upstream socket) in one call. */
static void flush_up(struct np_binding *b, struct np_flow *f, int from, int to) {
  if (!f || from >= to) return;
  int sent = sendmmsg(f->upstream, msgs + from, (unsigned)(to - from), MSG_DONTWAIT);
  for (int i = 0; i < sent; i++) {
    b->c.packets_in++;
    b->c.bytes_in += msgs[from + i].msg_len;
  }
}

void np_udp_listen_event(struct np_binding *b) {
  if (!arena_ready()) return;
  time_t now = time(NULL);
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < BATCH; i++) {
      slot(i, SLOT);
      msgs[i].msg_hdr.msg_name = &names[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(names[i]);
      msgs[i].msg_hdr.msg_control = cbufs[i].raw;
      msgs[i].msg_hdr.msg_controllen = sizeof(cbufs[i].raw);
    }
    int n = recvmmsg(b->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) return;
    /* Runs of datagrams of one flow go out in one sendmmsg; the slots are reused as sent. */
    struct np_flow *run = NULL;
    int run_from = 0;
    for (int i = 0; i < n; i++) {
      struct msghdr *mh = &msgs[i].msg_hdr;
      unsigned len = msgs[i].msg_len;
      note_size(len);
      struct sockaddr_storage local;
      local.ss_family = AF_UNSPEC;
      int ifindex = 0;
      for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
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
      struct np_flow *f = flow_get(b, &names[i], mh->msg_namelen, &local, ifindex);
      if (f != run) {
        flush_up(b, run, run_from, i);
        run = f;
        run_from = i;
      }
      if (f) f->last = now;
      /* The upstream socket is connected: no name, no control, just the bytes. */
      mh->msg_name = NULL;
      mh->msg_namelen = 0;
      mh->msg_control = NULL;
      mh->msg_controllen = 0;
      iovs[i].iov_len = len;
    }
    flush_up(b, run, run_from, n);
    if (n < BATCH) return;
  }
}

/* The reply source: the address the client sent to (and its interface when link-local). */
static void set_source(struct np_flow *f, int i) {
  struct msghdr *mh = &msgs[i].msg_hdr;
  struct cmsghdr *cm = (struct cmsghdr *)cbufs[i].raw;
  memset(cbufs[i].raw, 0, sizeof(cbufs[i].raw));
  if (f->local.ss_family == AF_INET) {
    struct in_pktinfo pi = {.ipi_ifindex = 0, .ipi_spec_dst = ((struct sockaddr_in *)&f->local)->sin_addr};
    mh->msg_control = cbufs[i].raw;
    mh->msg_controllen = CMSG_SPACE(sizeof(pi));
    cm->cmsg_level = IPPROTO_IP;
    cm->cmsg_type = IP_PKTINFO;
    cm->cmsg_len = CMSG_LEN(sizeof(pi));
    memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
  } else if (f->local.ss_family == AF_INET6) {
    struct in6_pktinfo pi = {.ipi6_addr = ((struct sockaddr_in6 *)&f->local)->sin6_addr};
    /* The interface matters only for link-local sources; elsewhere routing picks it. */
    if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr)) pi.ipi6_ifindex = (unsigned)f->local_ifindex;
    mh->msg_control = cbufs[i].raw;
    mh->msg_controllen = CMSG_SPACE(sizeof(pi));
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_PKTINFO;
    cm->cmsg_len = CMSG_LEN(sizeof(pi));
    memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
  }
}

void np_udp_upstream_event(struct np_flow *f) {
  if (!arena_ready()) return;
  struct np_binding *b = f->b;
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < BATCH; i++) slot(i, SLOT);
    int n = recvmmsg(f->upstream, msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      continue; /* ECONNREFUSED from an ICMP error: the flow stays until idle */
    }
    if (n == 0) return;
    for (int i = 0; i < n; i++) {
      note_size(msgs[i].msg_len);
      iovs[i].iov_len = msgs[i].msg_len;
      msgs[i].msg_hdr.msg_name = &f->client;
      msgs[i].msg_hdr.msg_namelen = f->client_len;
      set_source(f, i);
    }
    int sent = sendmmsg(b->fd, msgs, (unsigned)n, MSG_DONTWAIT);
    for (int i = 0; i < sent; i++) {
      b->c.packets_out++;
      b->c.bytes_out += msgs[i].msg_len;
    }
    f->last = time(NULL);
    if (n < BATCH) return;
  }
}

void np_udp_sweep(time_t now) {
  /* Large datagrams touched many arena pages: give them back while idle ports wait. */
  if (arena_big && arena) {
    madvise(arena, (size_t)BATCH * SLOT, MADV_DONTNEED);
    arena_big = 0;
  }
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
