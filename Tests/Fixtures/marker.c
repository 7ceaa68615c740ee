/* Test fixture for the operator runbook: a plugin with a bug. It FAILs every event whose
 * payload contains "marker-bug" ("handler crashed on marker-bug"), unless built with -DFIXED
 * (the fixed build). Every OK event is appended to the config's "record" file as
 * "<version> <id> <attempt> <partition> <paka.replay.by or ->", so tests see which version
 * handled what, the attempt count and the replay provenance the plugin received.
 * -DFIXTURE_NAME='"x"' and -DFIXTURE_VERSION='"2.0.0"' as for scripted.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "paka_plugin.h"

#ifndef FIXTURE_NAME
#define FIXTURE_NAME "marker"
#endif
#ifndef FIXTURE_VERSION
#define FIXTURE_VERSION "1.0.0"
#endif

typedef struct { FILE *record; } marker;

static const char *topics[] = {"audit.event"};

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
  (void)host;
  char text[1024] = {0}, path[512] = {0};
  memcpy(text, config.ptr, config.len < sizeof text - 1 ? config.len : sizeof text - 1);
  const char *at = strstr(text, "\"record\":\"");
  marker *m = calloc(1, sizeof *m);
  if (!m) return snprintf(err, cap, "out of memory"), 1;
  if (at) {
    at += strlen("\"record\":\"");
    size_t n = strcspn(at, "\"");
    if (n >= sizeof path) n = sizeof path - 1;
    memcpy(path, at, n);
    if (!(m->record = fopen(path, "a"))) return snprintf(err, cap, "cannot open record file %s", path), free(m), 1;
  }
  *out = m;
  return 0;
}

/* The value of the top-level string member `name` of the envelope, or "-". */
static void member(paka_bytes payload, const char *name, char *out, size_t cap) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", name);
  size_t n = strlen(pattern);
  snprintf(out, cap, "-");
  for (size_t i = 0; i + n <= payload.len; i++) {
    if (memcmp(payload.ptr + i, pattern, n) != 0) continue;
    size_t j = i + n, k = 0;
    while (j < payload.len && payload.ptr[j] != '"' && k + 1 < cap) out[k++] = (char)payload.ptr[j++];
    out[k] = 0;
    return;
  }
}

static int contains(paka_bytes b, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= b.len; i++) if (memcmp(b.ptr + i, needle, n) == 0) return 1;
  return 0;
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  marker *m = inst;
  for (size_t i = 0; i < n; i++) {
    res[i].error = NULL;
#ifndef FIXED
    if (contains(ev[i].payload, "marker-bug")) { res[i].code = PAKA_FAIL; res[i].error = "handler crashed on marker-bug"; continue; }
#endif
    res[i].code = PAKA_OK;
    if (m->record) {
      char by[128];
      member(ev[i].payload, "paka.replay.by", by, sizeof by);
      fprintf(m->record, FIXTURE_VERSION " %.*s %u %d %s\n", (int)ev[i].id.len, (const char *)ev[i].id.ptr, ev[i].attempt, ev[i].partition, by);
      fflush(m->record);
    }
  }
}

static void destroy(void *inst) { marker *m = inst; if (m->record) fclose(m->record); free(m); }

static const paka_plugin_descriptor descriptor = {
  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
  .name = FIXTURE_NAME, .version = FIXTURE_VERSION, .topics = topics, .topic_count = 1,
  .capabilities = 0, .create = create, .handle = handle, .destroy = destroy,
};

const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }
