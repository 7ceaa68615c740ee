/* Test fixture: examples/c-echo/echo.c exactly as it was under ABI 1.0, built against the 1.0
 * header kept next to it (Tests/Fixtures/abi-1.0/paka_plugin.h): a plugin already in the field.
 * It must keep loading and running on every 1.x host.  Do not modernise it.  */
#include <stdio.h>
#include <stdlib.h>
#include "paka_plugin.h"
#ifndef ECHO_VERSION
#define ECHO_VERSION "1.0.0"
#endif

typedef struct { const paka_host *host; } echo;
static const char *topics[] = {"echo.in"};

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
  echo *e = calloc(1, sizeof *e);
  if (!e) return snprintf(err, cap, "out of memory"), 1;
  (void)config, e->host = host, *out = e;
  return 0;
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  const paka_host *h = ((echo *)inst)->host;
  for (size_t i = 0; i < n; i++) {
    char line[160];
    int len = snprintf(line, sizeof line, ECHO_VERSION " got %.*s", (int)ev[i].id.len, (const char *)ev[i].id.ptr);
    h->log(h->ctx, PAKA_LOG_INFO, (paka_bytes){(const uint8_t *)line, (size_t)len});
    paka_bytes out = {(const uint8_t *)"echo.out", 8}, data = {(const uint8_t *)"{\"echoed\":true}", 15};
    int failed = h->publish(h->ctx, out, ev[i].key, data) != 0;
    res[i] = (paka_event_result){failed ? PAKA_RETRY : PAKA_OK, failed ? "host refused to publish" : NULL};
  }
}

static void destroy(void *inst) { free(inst); }

static const paka_plugin_descriptor descriptor = {
  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
  .name = "echo", .version = ECHO_VERSION, .topics = topics, .topic_count = 1,
  .create = create, .handle = handle, .destroy = destroy,
};
const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }
