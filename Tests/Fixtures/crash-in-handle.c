/* Test fixture: a plugin that crashes its process in handle() when an event's data says so:
 * "segv" dereferences NULL, "abort" calls abort(), "hang" never returns; any other event is OK.  For the tests of
 * `paka plugin test`, which must report the crash (signal named) instead of dying with it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "paka_plugin.h"

static const char *topics[] = {"crash.in"};

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
  (void)config, (void)err, (void)cap;
  *out = (void *)host;
  return 0;
}

static int contains(paka_bytes b, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= b.len; i++) if (memcmp(b.ptr + i, needle, n) == 0) return 1;
  return 0;
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  (void)inst;
  for (size_t i = 0; i < n; i++) {
    if (contains(ev[i].payload, "\"segv\"")) *(volatile int *)(uintptr_t)0 = 1;
    if (contains(ev[i].payload, "\"abort\"")) abort();
    if (contains(ev[i].payload, "\"hang\"")) for (;;) pause();
    res[i] = (paka_event_result){PAKA_OK, NULL};
  }
}

static void destroy(void *inst) { (void)inst; }

static const paka_plugin_descriptor descriptor = {
  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
  .name = "crasher", .version = "1.0.0", .topics = topics, .topic_count = 1,
  .create = create, .handle = handle, .destroy = destroy,
};
PAKA_PLUGIN_EXPORT const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }
