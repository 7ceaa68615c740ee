/* Test fixture for parallel lanes: a plugin written the way a plugin author writes one, with no
 * ordering logic of its own (it answers each event on its own merits).
 *
 * Per event, read from the CloudEvent payload's data:
 *   "delayMs": N     sleeps N ms before answering (a call to Telegram, say)
 *   "retries": N     answers RETRY while the attempt is ≤ N, then OK
 *   "fail": true     answers FAIL
 * Every OK is an effect: one line "<key> <id> <attempt> <in-flight> <version>" appended (one
 * write(2) on an O_APPEND file, so lines from parallel instances and processes never mix) to
 * the file named by the config's "record" member. <in-flight> is how many handle calls of this
 * process were running at that moment, across all instances: tests read parallelism from it
 * instead of from the clock. */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "paka_plugin.h"

#ifndef FIXTURE_VERSION
#define FIXTURE_VERSION "1.0.0"
#endif

typedef struct { int record; } lanes;

static atomic_int running;
static const char *topics[] = {"scripted.in"};

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
  (void)host;
  char text[1024] = {0}, path[512] = {0};
  memcpy(text, config.ptr, config.len < sizeof text - 1 ? config.len : sizeof text - 1);
  const char *at = strstr(text, "\"record\":\"");
  if (!at) return snprintf(err, cap, "config needs \"record\""), 1;
  at += strlen("\"record\":\"");
  size_t n = strcspn(at, "\"");
  if (n >= sizeof path) return snprintf(err, cap, "record path too long"), 1;
  memcpy(path, at, n);
  lanes *l = calloc(1, sizeof *l);
  if (!l) return snprintf(err, cap, "out of memory"), 1;
  l->record = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (l->record < 0) return snprintf(err, cap, "cannot open record file %s", path), free(l), 1;
  *out = l;
  return 0;
}

/* The number after "name": in the payload, or 0. */
static long number(paka_bytes b, const char *name) {
  char pattern[32];
  int n = snprintf(pattern, sizeof pattern, "\"%s\":", name);
  for (size_t i = 0; i + (size_t)n < b.len; i++)
    if (memcmp(b.ptr + i, pattern, (size_t)n) == 0) return strtol((const char *)b.ptr + i + n, NULL, 10);
  return 0;
}

static int contains(paka_bytes b, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= b.len; i++) if (memcmp(b.ptr + i, needle, n) == 0) return 1;
  return 0;
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  lanes *l = inst;
  for (size_t i = 0; i < n; i++) {
    int now = atomic_fetch_add(&running, 1) + 1;
    long delay = number(ev[i].payload, "delayMs");
    if (delay > 0) usleep((useconds_t)delay * 1000);
    res[i].error = NULL;
    if (contains(ev[i].payload, "\"fail\":true")) {
      res[i].code = PAKA_FAIL, res[i].error = "event asked to fail";
    } else if ((long)ev[i].attempt <= number(ev[i].payload, "retries")) {
      res[i].code = PAKA_RETRY, res[i].error = "not yet";
    } else {
      char line[512];
      int len = snprintf(line, sizeof line, "%.*s %.*s %u %d " FIXTURE_VERSION "\n", (int)ev[i].key.len, (const char *)ev[i].key.ptr,
                         (int)ev[i].id.len, (const char *)ev[i].id.ptr, ev[i].attempt, now);
      res[i].code = write(l->record, line, (size_t)len) == len ? PAKA_OK : PAKA_RETRY;
    }
    atomic_fetch_sub(&running, 1);
  }
}

static void destroy(void *inst) { lanes *l = inst; close(l->record); free(l); }

static const paka_plugin_descriptor descriptor = {
  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
  .name = "scripted", .version = FIXTURE_VERSION, .topics = topics, .topic_count = 1,
  .create = create, .handle = handle, .destroy = destroy,
};

const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }
