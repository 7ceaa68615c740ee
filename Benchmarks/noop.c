/* A processor that does nothing: what is left to measure is the host's own cost per event. */
#include <stdlib.h>
#include "paka_plugin.h"

static const char *topics[] = {"bench.host"};
static int create(const paka_host *h, paka_bytes c, void **out, char *e, size_t n) { (void)h, (void)c, (void)e, (void)n; *out = malloc(1); return 0; }
static void handle(void *i, const paka_event *ev, size_t n, paka_event_result *res) {
  (void)i, (void)ev;
  for (size_t k = 0; k < n; k++) res[k] = (paka_event_result){PAKA_OK, NULL};
}
static void destroy(void *i) { free(i); }
static const paka_plugin_descriptor d = {
  .struct_size = sizeof d, .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR, .name = "noop", .version = "1.0.0",
  .topics = topics, .topic_count = 1, .create = create, .handle = handle, .destroy = destroy,
};
const paka_plugin_descriptor *paka_plugin_entry(void) { return &d; }
