/* TCP forwarding: one upstream connection per accepted client, bytes moved with splice(2)
 * through one pipe per direction (no copy into user space). Half-close is kept: EOF on one
 * side becomes shutdown(SHUT_WR) on the other once the pipe is drained, while the other
 * direction keeps flowing. A container refusing the connection resets the client
 * (SO_LINGER 0). Backpressure: a full pipe stops reading from the source until the
 * destination drains it (edge-triggered epoll, registered once per socket: readable pumps the
 * direction out of a socket, writable the one into it). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "proxy.h"

#define ACCEPT_BATCH 64
#define EV (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

static void reset_and_close(int fd) {
  if (fd < 0) return;
  struct linger lg = {.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  close(fd);
}

static void close_pipe(struct np_dir *d) {
  if (d->pipe_r >= 0) close(d->pipe_r);
  if (d->pipe_w >= 0) close(d->pipe_w);
  d->pipe_r = d->pipe_w = -1;
}

/* Ends the connection; `reset` sends RST to both peers instead of a normal close. */
static void conn_close(struct np_conn *c, int reset) {
  if (c->dead) return;
  c->dead = 1;
  if (reset) {
    reset_and_close(c->client);
    reset_and_close(c->upstream);
  } else {
    close(c->client);
    close(c->upstream);
  }
  close_pipe(&c->up);
  close_pipe(&c->down);
  struct np_binding *b = c->b;
  if (c->prev) c->prev->next = c->next;
  else b->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  b->c.conns_active--;
  np_defer_free(c);
}

void np_tcp_accept(struct np_binding *b) {
  for (int i = 0; i < ACCEPT_BATCH; i++) {
    int cfd = accept4(b->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) return; /* EAGAIN, or a transient error such as EMFILE: retried on the next event */
    int ufd = socket(b->target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct np_conn *c = ufd >= 0 ? calloc(1, sizeof(*c)) : NULL;
    if (!c) {
      if (ufd >= 0) close(ufd);
      reset_and_close(cfd);
      continue;
    }
    int one = 1;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->b = b;
    c->client = cfd;
    c->upstream = ufd;
    c->connecting = 1;
    c->up = (struct np_dir){.src = cfd, .dst = ufd, .pipe_r = -1, .pipe_w = -1, .counter = &b->c.bytes_in};
    c->down = (struct np_dir){.src = ufd, .dst = cfd, .pipe_r = -1, .pipe_w = -1, .counter = &b->c.bytes_out};
    c->hc = (struct np_handle){NP_TCP_CLIENT, c};
    c->hu = (struct np_handle){NP_TCP_UPSTREAM, c};
    c->next = b->conns;
    if (b->conns) b->conns->prev = c;
    b->conns = c;
    b->c.conns_total++;
    b->c.conns_active++;
    int rc = connect(ufd, (struct sockaddr *)&b->target, b->target_len);
    if (rc != 0 && errno != EINPROGRESS) {
      b->c.refused++;
      conn_close(c, 1);
      continue;
    }
    if (np_watch(cfd, EV, &c->hc) != 0 || np_watch(ufd, EV, &c->hu) != 0) {
      conn_close(c, 1);
      continue;
    }
  }
}

/* Moves what it can from d->src to d->dst; -1 on a connection error. A splice into the pipe
 * that would block means the source is empty or the pipe is full: after a splice out made
 * room the source is read again, so edge-triggered readiness is never lost. */
static int pump(struct np_dir *d) {
  int src_blocked = 0;
  for (;;) {
    if (!d->src_eof && !src_blocked && d->in_pipe < d->cap) {
      ssize_t n = splice(d->src, NULL, d->pipe_w, NULL, d->cap - d->in_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) d->in_pipe += (size_t)n;
      else if (n == 0) d->src_eof = 1;
      else if (errno == EAGAIN) src_blocked = 1;
      else if (errno != EINTR) return -1;
    }
    if (d->in_pipe > 0) {
      ssize_t n = splice(d->pipe_r, NULL, d->dst, NULL, d->in_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d->in_pipe -= (size_t)n;
        *d->counter += (uint64_t)n;
        src_blocked = 0; /* room in the pipe again */
      } else if (n < 0 && errno == EAGAIN) {
        break; /* the destination is full: its EPOLLOUT resumes this direction */
      } else if (n < 0 && errno != EINTR) {
        return -1;
      }
    }
    if ((d->src_eof || src_blocked) && d->in_pipe == 0) break;
  }
  if (d->src_eof && d->in_pipe == 0 && !d->dst_shut) {
    shutdown(d->dst, SHUT_WR);
    d->dst_shut = 1;
  }
  return 0;
}

/* A pipe per direction, enlarged so one splice moves more than the default 16 pages. */
static int open_pipe(struct np_dir *d) {
  int p[2];
  if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
  d->pipe_r = p[0];
  d->pipe_w = p[1];
  int size = fcntl(p[1], F_SETPIPE_SZ, NP_PIPE_SIZE);
  if (size <= 0) size = fcntl(p[1], F_GETPIPE_SZ);
  d->cap = size > 0 ? (size_t)size : 65536;
  return 0;
}

void np_tcp_event(struct np_handle *h, uint32_t events) {
  struct np_conn *c = h->obj;
  if (c->connecting) {
    if (h->kind != NP_TCP_UPSTREAM) return; /* client data waits in its socket buffer */
    int err = 0;
    socklen_t l = sizeof(err);
    if (getsockopt(c->upstream, SOL_SOCKET, SO_ERROR, &err, &l) != 0) err = errno;
    if (err == EINPROGRESS || err == EALREADY) return;
    if (err != 0) {
      /* Refused or unreachable: the client sees RST, as if it had connected to a closed port. */
      c->b->c.refused++;
      conn_close(c, 1);
      return;
    }
    c->connecting = 0;
    if (open_pipe(&c->up) != 0 || open_pipe(&c->down) != 0) {
      conn_close(c, 1);
      return;
    }
    events = EPOLLERR; /* first turn: both directions (client data may have queued meanwhile) */
  }
  /* Only the directions this fd's readiness concerns: readable moves data out of it,
   * writable into it; errors and hang-ups look at both. */
  int fd = h->kind == NP_TCP_CLIENT ? c->client : c->upstream;
  struct np_dir *from = fd == c->up.src ? &c->up : &c->down;
  struct np_dir *to = fd == c->up.dst ? &c->up : &c->down;
  int all = (events & (EPOLLERR | EPOLLHUP)) != 0;
  if ((all || (events & (EPOLLIN | EPOLLRDHUP))) && pump(from) != 0) {
    conn_close(c, 1);
    return;
  }
  if ((all || (events & EPOLLOUT)) && pump(to) != 0) {
    conn_close(c, 1);
    return;
  }
  if (c->up.dst_shut && c->down.dst_shut) conn_close(c, 0);
}

void np_tcp_close_all(struct np_binding *b) {
  while (b->conns) conn_close(b->conns, 1);
}
