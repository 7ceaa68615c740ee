/* Test fixture: a C plugin whose behaviour the test chooses, per event and per build.
 *
 * Per event (in the CloudEvent payload): "fail" → FAIL; "retry-until-N" (N = 1..9) → RETRY
 * while attempt < N; "slow" → sleeps 300 ms first; otherwise OK.  Every OK event is appended
 * as "<version> <id> <attempt> <partition>" to the file named by the config's "record" member,
 * so tests can count exactly-once handling and check order.
 * Per build: -DFIXTURE_ABI_MAJOR=2, -DFIXTURE_STRUCT_SIZE=16, -DFIXTURE_NULL_DESCRIPTOR,
 * -DFIXTURE_NO_ENTRY, -DFIXTURE_CREATE_FAILS, -DFIXTURE_MINOR=7 (claims an unknown capability),
 * -DFIXTURE_NAME='"x"', -DFIXTURE_VERSION='"2.0.0"', -DFIXTURE_UNHEALTHY (health says unhealthy). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "paka_plugin.h"

#ifndef FIXTURE_NAME
#define FIXTURE_NAME "scripted"
#endif
#ifndef FIXTURE_VERSION
#define FIXTURE_VERSION "1.0.0"
#endif
#ifndef FIXTURE_ABI_MAJOR
#define FIXTURE_ABI_MAJOR PAKA_ABI_MAJOR
#endif
#ifndef FIXTURE_MINOR
#define FIXTURE_MINOR PAKA_ABI_MINOR
#endif
#ifndef FIXTURE_STRUCT_SIZE
#define FIXTURE_STRUCT_SIZE sizeof(struct newer_descriptor)
#endif

typedef struct { const paka_host *host; FILE *record; int handled; } scripted;

/* A descriptor as a newer minor would lay it out: the 1.0 struct plus an appended field. */
struct newer_descriptor { paka_plugin_descriptor base; void *appended_in_a_later_minor; };

static const char *topics[] = {"scripted.in"};

static const char *find_config(paka_bytes config, const char *key, char *out, size_t cap) {
  char text[1024] = {0}, pattern[64];
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

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
#ifdef FIXTURE_CREATE_FAILS
  (void)host, (void)config, (void)out;
  snprintf(err, cap, "missing setting 'token' (set it in plugins.json)");
  return 1;
#else
  scripted *s = calloc(1, sizeof *s);
  char path[512];
  if (!s) return snprintf(err, cap, "out of memory"), 1;
  s->host = host;
  if (find_config(config, "record", path, sizeof path) && !(s->record = fopen(path, "a")))
    return snprintf(err, cap, "cannot open record file %s", path), free(s), 1;
  *out = s;
  return 0;
#endif
}

static int contains(paka_bytes b, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= b.len; i++) if (memcmp(b.ptr + i, needle, n) == 0) return 1;
  return 0;
}

/* Keeps per-partition order inside a batch: once an event of a partition asks for a retry,
 * the later events of that partition wait for it instead of being handled out of order. */
static int partition_waits(const paka_event *ev, size_t i, paka_event_result *res) {
  for (size_t j = 0; j < i; j++)
    if (ev[j].partition == ev[i].partition && ev[j].partition >= 0 && res[j].code == PAKA_RETRY) return 1;
  return 0;
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  scripted *s = inst;
  for (size_t i = 0; i < n; i++) {
    res[i].error = NULL;
    if (partition_waits(ev, i, res)) { res[i].code = PAKA_RETRY; res[i].error = "waiting for an earlier event of this partition"; continue; }
    int until = 0;
    for (int k = 1; k <= 9; k++) { char tag[24]; snprintf(tag, sizeof tag, "retry-until-%d", k); if (contains(ev[i].payload, tag)) until = k; }
    if (contains(ev[i].payload, "\"slow\"")) usleep(300 * 1000);
    if (contains(ev[i].payload, "\"fail\"")) { res[i].code = PAKA_FAIL; res[i].error = "event asked to fail"; continue; }
    if (until && (int)ev[i].attempt < until) { res[i].code = PAKA_RETRY; res[i].error = "not yet"; continue; }
    res[i].code = PAKA_OK;
    s->handled++;
    if (s->record) {
      fprintf(s->record, FIXTURE_VERSION " %.*s %u %d\n", (int)ev[i].id.len, (const char *)ev[i].id.ptr, ev[i].attempt, ev[i].partition);
      fflush(s->record);
    }
  }
}

static void destroy(void *inst) { scripted *s = inst; if (s->record) fclose(s->record); free(s); }

static int health(void *inst, char *message, size_t cap) {
#ifdef FIXTURE_UNHEALTHY
  snprintf(message, cap, "cannot reach its store");
  return 1;
#endif
  snprintf(message, cap, "handled %d", ((scripted *)inst)->handled);
  return 0;
}

static void http(void *inst, const paka_http_request *req, paka_http_response *resp) {
  static char body[256];
  int len = snprintf(body, sizeof body, "{\"path\":\"%.*s\",\"handled\":%d}", (int)req->path.len, (const char *)req->path.ptr, ((scripted *)inst)->handled);
  resp->status = 200;
  resp->content_type = (paka_bytes){(const uint8_t *)"application/json", 16};
  resp->body = (paka_bytes){(const uint8_t *)body, (size_t)len};
}

static const struct newer_descriptor descriptor = {{
  .struct_size = FIXTURE_STRUCT_SIZE, .abi_major = FIXTURE_ABI_MAJOR, .abi_minor = FIXTURE_MINOR,
  .name = FIXTURE_NAME, .version = FIXTURE_VERSION, .topics = topics, .topic_count = 1,
  .capabilities = PAKA_CAP_HEALTH | PAKA_CAP_HTTP | (FIXTURE_MINOR > PAKA_ABI_MINOR ? (1ull << 40) : 0),
  .create = create, .handle = handle, .destroy = destroy, .health = health, .http = http,
}, 0};

#ifndef FIXTURE_NO_ENTRY
const paka_plugin_descriptor *paka_plugin_entry(void) {
#ifdef FIXTURE_NULL_DESCRIPTOR
  return NULL;
#else
  return &descriptor.base;
#endif
}
#else
const paka_plugin_descriptor *some_other_entry(void) { return &descriptor.base; }
#endif
