/* A complete Paka processor in C: logs each event and republishes it on "echo.out" as
 * {"echoed":true,"id":"<the event id>"}.  It shows what every C plugin must get right:
 *   - snprintf returns the length it WANTED to write, not what it wrote: clamp it to the buffer;
 *   - an event id is any text (quotes, backslashes, any length): escape it before writing JSON;
 *   - a publish refused for good FAILs the event (retrying it can never succeed); only a
 *     "not now" answer RETRYs it;
 *   - each event is answered on its own: the host keeps the order (it never batches two events
 *     of one key, and holds a key's later events back while one RETRYs).
 * Build: cc -shared -fPIC -fvisibility=hidden -I Sources/CPakaABI/include -o libecho.so examples/c-echo/echo.c
 * -DECHO_VERSION='"2.0.0"' builds another version of the same plugin (hot-swap tests).  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "paka_plugin.h"
#ifndef ECHO_VERSION
#define ECHO_VERSION "1.0.0"
#endif
#define ECHO_ERROR_CAP 256

typedef struct {
  const paka_host *host;
  char *json;                 /* the JSON being published; grown as needed, freed in destroy */
  size_t json_cap;
  char (*errors)[ECHO_ERROR_CAP]; /* results[i].error texts: ours until the next call          */
  size_t error_slots;
} echo;
static const char *topics[] = {"echo.in"};

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
  echo *e = calloc(1, sizeof *e);
  if (!e) return snprintf(err, cap, "out of memory"), 1;
  (void)config, e->host = host, *out = e;
  return 0;
}

/* snprintf's return value, clamped to what actually landed in the buffer. */
static size_t written(int wanted, size_t cap) {
  if (wanted < 0) return 0;
  return (size_t)wanted < cap ? (size_t)wanted : cap - 1;
}

/* Appends `b` to e->json as the inside of a JSON string.  Returns 0 when out of memory. */
static int append_escaped(echo *e, size_t *len, paka_bytes b) {
  for (size_t i = 0; i < b.len; i++) {
    if (*len + 9 > e->json_cap) { /* the longest escape, \u00XX, plus the closing "} and NUL */
      size_t cap = e->json_cap ? e->json_cap * 2 : 256;
      char *grown = realloc(e->json, cap);
      if (!grown) return 0;
      e->json = grown, e->json_cap = cap;
    }
    unsigned char c = b.ptr[i];
    if (c == '"' || c == '\\') e->json[(*len)++] = '\\', e->json[(*len)++] = (char)c;
    else if (c < 0x20) *len += (size_t)sprintf(e->json + *len, "\\u%04x", c);
    else e->json[(*len)++] = (char)c;
  }
  return 1;
}

/* {"echoed":true,"id":"<escaped id>"}, or NULL when out of memory. */
static const char *echo_json(echo *e, paka_bytes id, size_t *len) {
  static const char head[] = "{\"echoed\":true,\"id\":\"";
  if (e->json_cap < sizeof head + 3) {
    char *grown = realloc(e->json, 256);
    if (!grown) return NULL;
    e->json = grown, e->json_cap = 256;
  }
  memcpy(e->json, head, sizeof head - 1), *len = sizeof head - 1;
  if (!append_escaped(e, len, id)) return NULL;
  e->json[(*len)++] = '"', e->json[(*len)++] = '}', e->json[*len] = 0;
  return e->json;
}

/* Publishes through publish_checked when the host has it (1.1); a 1.0 host only says yes or no,
 * and its "no" was documented as permanent. */
static paka_publish_status publish(const paka_host *h, paka_bytes topic, paka_bytes key, paka_bytes data, char *error) {
  if (PAKA_HOST_HAS(h, publish_checked)) {
    char why[200] = "";
    paka_publish_status status = h->publish_checked(h->ctx, topic, key, data, why, sizeof why);
    if (status != PAKA_PUBLISH_OK) snprintf(error, ECHO_ERROR_CAP, "publish on echo.out: %s", why);
    return status;
  }
  if (h->publish(h->ctx, topic, key, data) == 0) return PAKA_PUBLISH_OK;
  snprintf(error, ECHO_ERROR_CAP, "publish on echo.out refused");
  return PAKA_PUBLISH_REFUSED;
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  echo *e = inst;
  const paka_host *h = e->host;
  if (n > e->error_slots) { /* one message slot per result, kept until our next call */
    void *grown = realloc(e->errors, n * sizeof *e->errors);
    if (!grown) return; /* every result stays the pre-filled RETRY */
    e->errors = grown, e->error_slots = n;
  }
  for (size_t i = 0; i < n; i++) {
    char line[160]; /* a long id is cut in the log line, never read past */
    size_t len = written(snprintf(line, sizeof line, ECHO_VERSION " got %.*s", (int)ev[i].id.len, (const char *)ev[i].id.ptr), sizeof line);
    h->log(h->ctx, PAKA_LOG_INFO, (paka_bytes){(const uint8_t *)line, len});
    size_t json_len = 0;
    const char *json = echo_json(e, ev[i].id, &json_len);
    if (!json) {
      res[i] = (paka_event_result){PAKA_RETRY, "out of memory"};
      continue;
    }
    paka_bytes out = {(const uint8_t *)"echo.out", 8}, data = {(const uint8_t *)json, json_len};
    paka_publish_status status = publish(h, out, ev[i].key, data, e->errors[i]);
    /* The status values equal the results they call for: OK, RETRY (not now), FAIL (never). */
    res[i] = (paka_event_result){status == PAKA_PUBLISH_OK ? PAKA_OK : status == PAKA_PUBLISH_RETRY ? PAKA_RETRY : PAKA_FAIL,
                                 status == PAKA_PUBLISH_OK ? NULL : e->errors[i]};
  }
}

static void destroy(void *inst) {
  echo *e = inst;
  free(e->json);
  free(e->errors);
  free(e);
}

static const paka_plugin_descriptor descriptor = {
  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
  .name = "echo", .version = ECHO_VERSION, .topics = topics, .topic_count = 1,
  .create = create, .handle = handle, .destroy = destroy,
  .description = "logs each event and republishes it on echo.out",
};
PAKA_PLUGIN_EXPORT const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }
