/* netd-proxy: the userland proxy of netd as one process for all published ports.
 * The daemon binds each listening socket and hands it over on a unix control socket
 * (SCM_RIGHTS) with the target; this process only forwards: TCP with splice(2) through a
 * pipe per direction, UDP per client flow. See README.md ("netd-proxy"). */
#ifndef NETD_PROXY_H
#define NETD_PROXY_H

#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define NP_ID_MAX 96
#define NP_UDP_IDLE_SEC 90
#define NP_UDP_MAX_FLOWS 4096
/* Pipe per TCP direction: 256 KiB (64 pages) moves a window of data per splice. */
#define NP_PIPE_SIZE (1 << 18)

enum np_kind { NP_CONTROL_LISTEN, NP_CONTROL_CLIENT, NP_TCP_LISTEN, NP_TCP_CLIENT, NP_TCP_UPSTREAM, NP_UDP_LISTEN, NP_UDP_UPSTREAM };

/* What an epoll event points at: the object and which of its fds fired. */
struct np_handle {
  enum np_kind kind;
  void *obj;
};

struct np_binding;

/* One direction of a TCP connection: bytes from src to dst through a pipe. */
struct np_dir {
  int src, dst;
  int pipe_r, pipe_w;
  size_t in_pipe, cap;
  int src_eof, dst_shut;
  uint64_t *counter;
};

struct np_conn {
  struct np_binding *b;
  struct np_conn *prev, *next; /* in b->conns */
  int client, upstream;
  int connecting, dead;
  struct np_handle hc, hu;
  struct np_dir up, down; /* client->container, container->client */
};

struct np_flow {
  struct np_binding *b;
  struct np_flow *prev, *next;
  struct sockaddr_storage client;
  socklen_t client_len;
  struct sockaddr_storage local; /* the address the client sent to (reply source) */
  int local_ifindex;
  int upstream;
  time_t last;
  struct np_handle h;
};

struct np_counters {
  uint64_t conns_total, conns_active, bytes_in, bytes_out, packets_in, packets_out, refused;
};

struct np_binding {
  char id[NP_ID_MAX + 1];
  int udp;
  int fd, family;
  struct sockaddr_storage target;
  socklen_t target_len;
  struct np_handle h;
  struct np_conn *conns;
  struct np_flow *flows;
  unsigned nflows;
  struct np_counters c;
  int dead;
  struct np_binding *prev, *next;
};

/* main.c */
extern int np_epfd;
extern struct np_binding *np_bindings;
int np_watch(int fd, uint32_t events, struct np_handle *h);
void np_log(const char *fmt, ...);
/* Frees `p` after the current batch of events (handles in it may still point at it). */
void np_defer_free(void *p);

/* control.c */
int np_control_open(const char *path);
void np_control_accept(int lfd);
void np_control_read(struct np_handle *h);

/* binding.c */
struct np_binding *np_binding_find(const char *id);
int np_binding_add(const char *id, int udp, int fd, const struct sockaddr_storage *target, socklen_t tlen, const char **err);
void np_binding_remove(struct np_binding *b);
int np_format_addr(const struct sockaddr_storage *ss, char *out, size_t n);

/* tcp.c */
void np_tcp_accept(struct np_binding *b);
void np_tcp_event(struct np_handle *h, uint32_t events);
void np_tcp_close_all(struct np_binding *b);

/* udp.c */
extern int np_udp_idle;
int np_udp_prepare(int fd, int family);
void np_udp_listen_event(struct np_binding *b);
void np_udp_upstream_event(struct np_flow *f);
void np_udp_sweep(time_t now);
void np_udp_close_all(struct np_binding *b);

#endif
