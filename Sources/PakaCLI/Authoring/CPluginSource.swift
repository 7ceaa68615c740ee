/// The C plugin `paka plugin new --lang c` writes, with NAME, IDENT and TOPICS still to fill in.
/// Kept as a raw string so the C reads exactly as the author will see it.
enum CPluginSource {
    static let text = #"""
/* NAME: a Paka processor.  Logs each event and publishes {"source":"<event id>"} on "NAME.processed".
 *
 * What this file gets right, and yours must keep right as you change it:
 *   - snprintf returns the length it WANTED to write: clamp it before using it as a length;
 *   - an event id is any text (any length, quotes, backslashes): escape it before writing JSON;
 *   - a publish refused for good FAILs the event (a RETRY would repeat forever and stop the
 *     partition); only a "not now" answer RETRYs it;
 *   - each event is answered on its own: the host keeps the order (it never batches two events
 *     of one key, and holds a key's later events back while one RETRYs).
 * make test proves each of these (test_IDENT.c).                                              */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "paka_plugin.h"

#define ERROR_CAP 256
typedef struct {
  const paka_host *host;
  char *json;                 /* the data being published, grown as needed */
  size_t json_cap;
  char (*errors)[ERROR_CAP];  /* results[i].error texts: ours until our next call */
  size_t error_slots;
} IDENT;
static const char *topics[] = {TOPICS};

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
  IDENT *p = calloc(1, sizeof *p);
  if (!p) return snprintf(err, cap, "out of memory"), 1;
  (void)config, p->host = host, *out = p;
  return 0;
}

/* snprintf's return value, clamped to what actually landed in a buffer of cap bytes. */
static size_t clamped(int wanted, size_t cap) {
  if (wanted < 0) return 0;
  return (size_t)wanted < cap ? (size_t)wanted : cap - 1;
}

/* Makes room for `more` bytes in p->json.  0 when out of memory. */
static int reserve(IDENT *p, size_t len, size_t more) {
  if (len + more <= p->json_cap) return 1;
  size_t cap = p->json_cap ? p->json_cap : 128;
  while (cap < len + more) cap *= 2;
  char *grown = realloc(p->json, cap);
  if (!grown) return 0;
  p->json = grown, p->json_cap = cap;
  return 1;
}

/* Appends s to p->json; escape != 0 writes it as the inside of a JSON string. */
static int append(IDENT *p, size_t *len, const uint8_t *s, size_t n, int escape) {
  for (size_t i = 0; i < n; i++) {
    if (!reserve(p, *len, 7)) return 0; /* the longest escape, \u00XX, and a NUL */
    unsigned char c = s[i];
    if (escape && (c == '"' || c == '\\')) p->json[(*len)++] = '\\', p->json[(*len)++] = (char)c;
    else if (escape && c < 0x20) *len += (size_t)snprintf(p->json + *len, 7, "\\u%04x", c);
    else p->json[(*len)++] = (char)c;
  }
  return 1;
}

/* {"source":"<escaped id>"} in p->json, or NULL when out of memory. */
static const char *derived_json(IDENT *p, paka_bytes id, size_t *len) {
  *len = 0;
  if (!append(p, len, (const uint8_t *)"{\"source\":\"", 11, 0) || !append(p, len, id.ptr, id.len, 1) ||
      !append(p, len, (const uint8_t *)"\"}", 2, 0))
    return NULL;
  return p->json;
}

/* publish_checked on a 1.1 host; a 1.0 host only says yes or no, and its no was "for good". */
static paka_publish_status publish(const paka_host *h, paka_bytes topic, paka_bytes key, paka_bytes data, char *error) {
  if (PAKA_HOST_HAS(h, publish_checked)) {
    char why[200] = "";
    paka_publish_status status = h->publish_checked(h->ctx, topic, key, data, why, sizeof why);
    if (status != PAKA_PUBLISH_OK) snprintf(error, ERROR_CAP, "publish on %.*s: %s", (int)topic.len, (const char *)topic.ptr, why);
    return status;
  }
  if (h->publish(h->ctx, topic, key, data) == 0) return PAKA_PUBLISH_OK;
  snprintf(error, ERROR_CAP, "publish on %.*s refused", (int)topic.len, (const char *)topic.ptr);
  return PAKA_PUBLISH_REFUSED;
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  IDENT *p = inst;
  const paka_host *h = p->host;
  if (n > p->error_slots) {
    void *grown = realloc(p->errors, n * sizeof *p->errors);
    if (!grown) return; /* every result stays the pre-filled RETRY */
    p->errors = grown, p->error_slots = n;
  }
  for (size_t i = 0; i < n; i++) {
    char line[256]; /* a long id is cut short in the log line, never read past */
    size_t len = clamped(snprintf(line, sizeof line, "NAME got %.*s on %.*s", (int)ev[i].id.len, (const char *)ev[i].id.ptr,
                                  (int)ev[i].topic.len, (const char *)ev[i].topic.ptr), sizeof line);
    h->log(h->ctx, PAKA_LOG_INFO, (paka_bytes){(const uint8_t *)line, len});
    size_t json_len;
    const char *json = derived_json(p, ev[i].id, &json_len);
    if (!json) {
      res[i] = (paka_event_result){PAKA_RETRY, "out of memory"};
      continue;
    }
    paka_bytes topic = {(const uint8_t *)"NAME.processed", sizeof "NAME.processed" - 1};
    paka_publish_status status = publish(h, topic, ev[i].key, (paka_bytes){(const uint8_t *)json, json_len}, p->errors[i]);
    if (status == PAKA_PUBLISH_OK) res[i] = (paka_event_result){PAKA_OK, NULL};
    else if (status == PAKA_PUBLISH_RETRY) res[i] = (paka_event_result){PAKA_RETRY, p->errors[i]};
    else res[i] = (paka_event_result){PAKA_FAIL, p->errors[i]}; /* refused for good, or an unknown answer */
  }
}

static void destroy(void *inst) {
  IDENT *p = inst;
  free(p->json);
  free(p->errors);
  free(p);
}

static const paka_plugin_descriptor descriptor = {
  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
  .name = "NAME", .version = "0.1.0", .topics = topics, .topic_count = sizeof topics / sizeof *topics,
  .create = create, .handle = handle, .destroy = destroy,
  .description = "logs each event and publishes NAME.processed",
};
PAKA_PLUGIN_EXPORT const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }
"""#
}
