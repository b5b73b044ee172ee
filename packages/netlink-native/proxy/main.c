/* netd-proxy entry point: the epoll loop and event dispatch.
 * Usage: netd-proxy --socket PATH   (the unix control socket the daemon talks to). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

int np_epfd = -1;
struct np_binding *np_bindings = NULL;

void np_log(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "netd-proxy[%d]: ", (int)getpid());
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int np_watch(int fd, uint32_t events, struct np_handle *h) {
  struct epoll_event ev = {.events = events, .data.ptr = h};
  return epoll_ctl(np_epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void **deferred;
static size_t ndeferred, capdeferred;

void np_defer_free(void *p) {
  if (ndeferred == capdeferred) {
    size_t cap = capdeferred ? capdeferred * 2 : 64;
    void **grown = realloc(deferred, cap * sizeof(void *));
    if (!grown) return; /* leak rather than free early */
    deferred = grown;
    capdeferred = cap;
  }
  deferred[ndeferred++] = p;
}

static void dispatch(struct np_handle *h, uint32_t events, int control_fd) {
  /* Objects closed earlier in this batch: their events are stale. */
  if ((h->kind == NP_TCP_LISTEN || h->kind == NP_UDP_LISTEN) && ((struct np_binding *)h->obj)->dead) return;
  if ((h->kind == NP_TCP_CLIENT || h->kind == NP_TCP_UPSTREAM) && ((struct np_conn *)h->obj)->dead) return;
  if (h->kind == NP_UDP_UPSTREAM && ((struct np_flow *)h->obj)->upstream < 0) return;
  switch (h->kind) {
    case NP_CONTROL_LISTEN: np_control_accept(control_fd); break;
    case NP_CONTROL_CLIENT: np_control_read(h); break;
    case NP_TCP_LISTEN: np_tcp_accept(h->obj); break;
    case NP_TCP_CLIENT:
    case NP_TCP_UPSTREAM: np_tcp_event(h, events); break;
    case NP_UDP_LISTEN: np_udp_listen_event(h->obj); break;
    case NP_UDP_UPSTREAM: np_udp_upstream_event(h->obj); break;
  }
}

int main(int argc, char **argv) {
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) path = argv[++i];
    else if (strcmp(argv[i], "--udp-idle") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0) np_udp_idle = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: netd-proxy --socket PATH [--udp-idle SECONDS]\n");
      return 2;
    }
  }
  if (!path) {
    fprintf(stderr, "usage: netd-proxy --socket PATH [--udp-idle SECONDS]\n");
    return 2;
  }
  /* Peers going away must show up as EPIPE, not kill the process; the daemon's terminal
   * going away must not either (the proxy outlives the daemon by design). */
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  /* Four fds per TCP connection (two sockets, two pipes... plus pipe ends): raise the soft limit. */
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  np_epfd = epoll_create1(EPOLL_CLOEXEC);
  if (np_epfd < 0) {
    np_log("epoll_create1: %s", strerror(errno));
    return 1;
  }
  int control_fd = np_control_open(path);
  if (control_fd < 0) return 1;
  static struct np_handle control_h = {NP_CONTROL_LISTEN, NULL};
  np_watch(control_fd, EPOLLIN, &control_h);
  np_log("listening on %s", path);

  struct epoll_event events[256];
  time_t last_sweep = time(NULL);
  for (;;) {
    int n = epoll_wait(np_epfd, events, 256, 1000);
    if (n < 0 && errno != EINTR) {
      np_log("epoll_wait: %s", strerror(errno));
      return 1;
    }
    for (int i = 0; i < n; i++) dispatch(events[i].data.ptr, events[i].events, control_fd);
    for (size_t i = 0; i < ndeferred; i++) free(deferred[i]);
    ndeferred = 0;
    time_t now = time(NULL);
    if (now != last_sweep) {
      np_udp_sweep(now);
      last_sweep = now;
    }
  }
}
