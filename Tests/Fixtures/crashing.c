/* Test fixture for crash containment: a C plugin that crashes the way the test asks.
 *
 * Per event (in the CloudEvent payload): "segv" → writes through NULL; "abort" → abort();
 * "exit3" → exit(3); "hang" → loops forever; "publish" → publishes {"echo":"<id>"} to echo.out;
 * "bomb" → allocates and touches 64 MiB blocks until malloc fails, then abort() (as a program
 * out of memory would) — it gives up after 4 GiB and answers OK, so a missing limit fails the
 * test instead of exhausting the machine;
 * otherwise OK.  Every OK event is appended as "<id> <attempt> <pid>" to the file named by
 * the config's "record" member.  Config "crashCreateIf": a path → create crashes while that
 * file exists.  Per build: -DCRASH_IN_CREATE, -DCRASH_IN_HEALTH, -DCRASH_IN_HTTP. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "paka_plugin.h"

typedef struct { const paka_host *host; FILE *record; int handled; } crashing;

static const char *topics[] = {"scripted.in"};

static const char *find_config(paka_bytes config, const char *key, char *out, size_t cap) {
  char text[2048] = {0}, pattern[64];
  memcpy(text, config.ptr, config.len < sizeof text - 1 ? config.len : sizeof text - 1);
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char *at = strstr(text, pattern);
  if (!at) return NULL;
  at += strlen(pattern);
  size_t n = strcspn(at, "\"");
  if (n >= cap) n = cap - 1;
  memcpy(out, at, n), out[n] = 0;
  return out;
}

/* A volatile store to an address read at run time: no compiler may drop it as undefined. */
static void crash_now(void) {
  volatile uintptr_t address = 0;
  *(volatile int *)address = 42;
}

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
  char path[512];
#ifdef CRASH_IN_CREATE
  crash_now();
#endif
  if (find_config(config, "crashCreateIf", path, sizeof path) && access(path, F_OK) == 0) crash_now();
  crashing *s = calloc(1, sizeof *s);
  if (!s) return snprintf(err, cap, "out of memory"), 1;
  s->host = host;
  if (find_config(config, "record", path, sizeof path) && !(s->record = fopen(path, "a")))
    return snprintf(err, cap, "cannot open record file %s", path), free(s), 1;
  *out = s;
  return 0;
}

static int contains(paka_bytes b, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= b.len; i++) if (memcmp(b.ptr + i, needle, n) == 0) return 1;
  return 0;
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  crashing *s = inst;
  for (size_t i = 0; i < n; i++) {
    res[i].error = NULL;
    if (contains(ev[i].payload, "\"segv\"")) crash_now();
    if (contains(ev[i].payload, "\"abort\"")) abort();
    if (contains(ev[i].payload, "\"exit3\"")) exit(3);
    if (contains(ev[i].payload, "\"hang\"")) for (;;) pause();
    if (contains(ev[i].payload, "\"bomb\"")) {
      for (int block = 0; block < 64; block++) {
        char *p = malloc(64u << 20);
        if (!p) abort();
        memset(p, 1, 64u << 20);
      }
    }
    if (contains(ev[i].payload, "\"publish\"")) {
      char data[160];
      int len = snprintf(data, sizeof data, "{\"echo\":\"%.*s\"}", (int)ev[i].id.len, (const char *)ev[i].id.ptr);
      paka_bytes topic = {(const uint8_t *)"echo.out", 8}, body = {(const uint8_t *)data, (size_t)len};
      s->host->publish(s->host->ctx, topic, ev[i].key, body);
    }
    paka_bytes line = {(const uint8_t *)"handled an event", 16};
    s->host->log(s->host->ctx, PAKA_LOG_DEBUG, line);
    res[i].code = PAKA_OK;
    s->handled++;
    if (s->record) {
      fprintf(s->record, "%.*s %u %d\n", (int)ev[i].id.len, (const char *)ev[i].id.ptr, ev[i].attempt, (int)getpid());
      fflush(s->record);
    }
  }
}

static void destroy(void *inst) { crashing *s = inst; if (s->record) fclose(s->record); free(s); }

static int health(void *inst, char *message, size_t cap) {
#ifdef CRASH_IN_HEALTH
  crash_now();
#endif
  snprintf(message, cap, "handled %d in pid %d", ((crashing *)inst)->handled, (int)getpid());
  return 0;
}

static void http(void *inst, const paka_http_request *req, paka_http_response *resp) {
  static char body[256];
#ifdef CRASH_IN_HTTP
  if (req->path.len >= 6 && memcmp(req->path.ptr, "/crash", 6) == 0) crash_now();
#endif
  int len = snprintf(body, sizeof body, "{\"path\":\"%.*s\",\"handled\":%d,\"pid\":%d}", (int)req->path.len, (const char *)req->path.ptr,
                     ((crashing *)inst)->handled, (int)getpid());
  resp->status = 200;
  resp->content_type = (paka_bytes){(const uint8_t *)"application/json", 16};
  resp->body = (paka_bytes){(const uint8_t *)body, (size_t)len};
}

static const paka_plugin_descriptor descriptor = {
  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
  .name = "crashing", .version = "1.0.0", .topics = topics, .topic_count = 1,
  .capabilities = PAKA_CAP_HEALTH | PAKA_CAP_HTTP,
  .create = create, .handle = handle, .destroy = destroy, .health = health, .http = http,
};

const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }
