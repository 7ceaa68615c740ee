/* A processor that waits on the outside world: each event takes "delayMs" (config, default 20)
 * of sleeping, as a call to Telegram, SMTP or an API would, then OK. What the lanes rows measure
 * is how many such waits the host keeps going at once. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "paka_plugin.h"

static const char *topics[] = {"bench.lanes"};
static int create(const paka_host *h, paka_bytes c, void **out, char *e, size_t n) {
  (void)h, (void)e, (void)n;
  char text[256] = {0};
  memcpy(text, c.ptr, c.len < sizeof text - 1 ? c.len : sizeof text - 1);
  const char *at = strstr(text, "\"delayMs\":");
  long *delay = malloc(sizeof *delay);
  if (!delay) return 1;
  *delay = at ? strtol(at + strlen("\"delayMs\":"), NULL, 10) : 20;
  *out = delay;
  return 0;
}
static void handle(void *i, const paka_event *ev, size_t n, paka_event_result *res) {
  (void)ev;
  for (size_t k = 0; k < n; k++) {
    usleep((useconds_t)(*(long *)i * 1000));
    res[k] = (paka_event_result){PAKA_OK, NULL};
  }
}
static void destroy(void *i) { free(i); }
static const paka_plugin_descriptor d = {
  .struct_size = sizeof d, .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR, .name = "sleeper", .version = "1.0.0",
  .topics = topics, .topic_count = 1, .create = create, .handle = handle, .destroy = destroy,
};
const paka_plugin_descriptor *paka_plugin_entry(void) { return &d; }
