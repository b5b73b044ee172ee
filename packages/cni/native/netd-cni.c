/*
 * netd-cni: the CNI plugin executable. Runtimes spawn it for every verb, and podman sends
 * VERSION to every plugin of every network on every command, so it must start in a few
 * milliseconds: no Node, no JSON library. It answers VERSION itself and forwards ADD, DEL,
 * CHECK, GC and STATUS (the CNI_* environment and the stdin config, as one JSON body) to the
 * netd daemon's unix socket (POST /cni/<verb>); the daemon does the work and answers with
 * the CNI result or a CNI error object, which this program prints unchanged.
 *
 * Socket: the config's top-level "socket" key, else $NETD_SOCKET, else /run/netd/netd.sock.
 * The config is the place that always reaches the plugin: podman runs DEL from another
 * process with another environment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define SUPPORTED "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]"
#define DEFAULT_SOCKET "/run/netd/netd.sock"
/* An ADD that waits for the kernel under load stays well below this. */
#define IO_TIMEOUT_SEC 120

/* Spec error codes (CNI spec, "Error codes"). */
enum { E_ENV = 4, E_IO = 5, E_DECODE = 6, E_TRY_LATER = 11, E_UNAVAILABLE = 50, E_DAEMON = 100 };

struct buf {
  char *p;
  size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      fputs("netd-cni: out of memory\n", stderr);
      exit(1);
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* Appends s as a JSON string literal. Bytes >= 0x80 pass through (UTF-8). */
static void put_json_string(struct buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      put(b, e, 2);
    } else if (c < 0x20) {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      put(b, e, 6);
    } else {
      put(b, (const char *)&s[i], 1);
    }
  }
  put(b, "\"", 1);
}

/*
 * Finds the string value of a top-level key of a JSON object without a JSON library:
 * tracks nesting and string state, so a key of the same name inside "ipam" or "args" is not
 * taken. Escapes in the value are kept only for \" \\ \/; the values read here are paths and
 * version numbers. Returns 1 when found.
 */
static int top_level_string(const char *j, const char *key, char *out, size_t outlen) {
  int depth = 0;
  size_t klen = strlen(key);
  for (const char *p = j; *p; p++) {
    if (*p == '{' || *p == '[') depth++;
    else if (*p == '}' || *p == ']') depth--;
    else if (*p == '"') {
      const char *s = ++p;
      while (*p && *p != '"') p += (*p == '\\' && p[1]) ? 2 : 1;
      if (!*p) return 0;
      size_t len = (size_t)(p - s);
      if (depth != 1 || len != klen || memcmp(s, key, klen) != 0) continue;
      const char *q = p + 1;
      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
      if (*q != ':') continue;
      q++;
      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
      if (*q != '"') return 0;
      size_t o = 0;
      for (q++; *q && *q != '"'; q++) {
        if (*q == '\\' && q[1]) q++;
        if (o + 1 >= outlen) return 0;
        out[o++] = *q;
      }
      out[o] = 0;
      return *q == '"';
    }
  }
  return 0;
}

static char version[32] = "1.1.0";

/* Prints a CNI error object on stdout (where the spec wants it) and exits 1. */
static void fail(int code, const char *msg, const char *details) {
  struct buf b = {0};
  puts_(&b, "{\"cniVersion\":");
  put_json_string(&b, version, strlen(version));
  char num[32];
  snprintf(num, sizeof num, ",\"code\":%d,\"msg\":", code);
  puts_(&b, num);
  put_json_string(&b, msg, strlen(msg));
  if (details) {
    puts_(&b, ",\"details\":");
    put_json_string(&b, details, strlen(details));
  }
  puts_(&b, "}\n");
  fwrite(b.p, 1, b.n, stdout);
  exit(1);
}

static void read_all(int fd, struct buf *b) {
  char chunk[16384];
  for (;;) {
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      char d[128];
      snprintf(d, sizeof d, "read: %s", strerror(errno));
      fail(E_IO, "netd-cni: reading failed", d);
    }
    if (r == 0) break;
    put(b, chunk, (size_t)r);
  }
  if (!b->p) put(b, "", 0);
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void put_env(struct buf *b, const char *name, int *first) {
  const char *v = getenv(name);
  if (!v) return;
  if (!*first) put(b, ",", 1);
  *first = 0;
  put_json_string(b, name, strlen(name));
  put(b, ":", 1);
  put_json_string(b, v, strlen(v));
}

int main(void) {
  const char *cmd = getenv("CNI_COMMAND");
  struct buf in = {0};
  read_all(0, &in);
  char v[32];
  if (top_level_string(in.p, "cniVersion", v, sizeof v)) memcpy(version, v, sizeof v);
  if (!cmd || !*cmd) fail(E_ENV, "CNI_COMMAND is not set", "set CNI_COMMAND to ADD, DEL, CHECK, GC, STATUS or VERSION");

  if (strcmp(cmd, "VERSION") == 0) {
    printf("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":" SUPPORTED "}\n");
    return 0;
  }
  const char *verb = strcmp(cmd, "ADD") == 0 ? "add" : strcmp(cmd, "DEL") == 0 ? "del" : strcmp(cmd, "CHECK") == 0 ? "check" : strcmp(cmd, "GC") == 0 ? "gc" : strcmp(cmd, "STATUS") == 0 ? "status" : NULL;
  if (!verb) fail(E_ENV, "unknown CNI_COMMAND", cmd);

  char sockpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
  const char *envsock = getenv("NETD_SOCKET");
  if (!top_level_string(in.p, "socket", sockpath, sizeof sockpath)) {
    snprintf(sockpath, sizeof sockpath, "%s", envsock && *envsock ? envsock : DEFAULT_SOCKET);
  }

  struct buf body = {0};
  int first = 1;
  puts_(&body, "{\"env\":{");
  static const char *names[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH", NULL};
  for (int i = 0; names[i]; i++) put_env(&body, names[i], &first);
  puts_(&body, "},\"config\":");
  put_json_string(&body, in.p, in.n);
  puts_(&body, "}");

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sockpath);
  int unavailable = strcmp(verb, "status") == 0 ? E_UNAVAILABLE : E_TRY_LATER;
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    char d[512];
    snprintf(d, sizeof d, "connect %s: %s; start the netd daemon (netd daemon --socket %s) or set \"socket\" in the network config", sockpath, strerror(errno), sockpath);
    fail(unavailable, "netd daemon is not reachable", d);
  }
  struct timeval tv = {.tv_sec = IO_TIMEOUT_SEC};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  char head[256];
  int hn = snprintf(head, sizeof head, "POST /cni/%s HTTP/1.1\r\nHost: netd\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", verb, body.n);
  if (write_all(fd, head, (size_t)hn) != 0 || write_all(fd, body.p, body.n) != 0) {
    fail(unavailable, "netd daemon closed the connection", strerror(errno));
  }
  struct buf resp = {0};
  read_all(fd, &resp);
  close(fd);

  int status = 0;
  char *sep = strstr(resp.p, "\r\n\r\n");
  if (sscanf(resp.p, "HTTP/1.%*d %d", &status) != 1 || !sep) fail(E_DAEMON, "netd daemon sent no HTTP response", NULL);
  const char *payload = sep + 4;
  size_t plen = resp.n - (size_t)(payload - resp.p);
  if (status >= 200 && status < 300) {
    fwrite(payload, 1, plen, stdout);
    return 0;
  }
  /* The daemon's CNI routes answer errors as CNI error objects; anything else (an old daemon
     without them, a proxy) is wrapped into one. */
  if (plen && payload[0] == '{' && strstr(payload, "\"code\"") && strstr(payload, "\"msg\"")) {
    fwrite(payload, 1, plen, stdout);
    return 1;
  }
  char d[512];
  snprintf(d, sizeof d, "HTTP %d from %s: %.160s", status, sockpath, payload);
  fail(E_DAEMON, "netd daemon does not serve the CNI API; upgrade netd", d);
  return 1;
}
