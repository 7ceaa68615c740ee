/* Test fixture: a C plugin that buffers its work and finishes it in `flush`, as a plugin batching
 * its own writes would.
 *
 * handle: answers OK and keeps the event id in memory (nothing is written yet).
 * flush: answers what the config's "flush" member says: "ok", "fail", "retry" (always) or
 *   "retry-until-N" (N = 1..9: RETRY while the call number < N). On OK it writes the buffered ids.
 * Every step is appended to the config's "record" file, so a test can check what happened in
 * which order: "<version> buffered <id>", "<version> flush <call> <ok|retry|fail>",
 * "<version> wrote <id>", "<version> destroyed".
 * Per build: -DFIXTURE_VERSION='"2.0.0"'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "paka_plugin.h"

#ifndef FIXTURE_VERSION
#define FIXTURE_VERSION "1.0.0"
#endif

typedef struct { FILE *record; char mode[32]; int calls; char ids[64][64]; int buffered; } flushing;

static const char *topics[] = {"flushing.in"};

static void config_string(paka_bytes config, const char *key, char *out, size_t cap) {
  char text[1024] = {0}, pattern[64];
  memcpy(text, config.ptr, config.len < sizeof text - 1 ? config.len : sizeof text - 1);
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char *at = strstr(text, pattern);
  out[0] = 0;
  if (!at) return;
  at += strlen(pattern);
  size_t n = strcspn(at, "\"");
  if (n >= cap) n = cap - 1;
  memcpy(out, at, n), out[n] = 0;
}

static void note(flushing *f, const char *what, const char *detail) {
  if (!f->record) return;
  fprintf(f->record, FIXTURE_VERSION " %s%s%s\n", what, detail[0] ? " " : "", detail);
  fflush(f->record);
}

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
  (void)host;
  flushing *f = calloc(1, sizeof *f);
  char path[512];
  if (!f) return snprintf(err, cap, "out of memory"), 1;
  config_string(config, "record", path, sizeof path);
  if (path[0] && !(f->record = fopen(path, "a"))) return snprintf(err, cap, "cannot open record file %s", path), free(f), 1;
  config_string(config, "flush", f->mode, sizeof f->mode);
  if (!f->mode[0]) strcpy(f->mode, "ok");
  *out = f;
  return 0;
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  flushing *f = inst;
  for (size_t i = 0; i < n; i++) {
    res[i].code = PAKA_OK, res[i].error = NULL;
    if (f->buffered < 64) {
      snprintf(f->ids[f->buffered], sizeof f->ids[0], "%.*s", (int)ev[i].id.len, (const char *)ev[i].id.ptr);
      note(f, "buffered", f->ids[f->buffered++]);
    }
  }
}

static paka_result flush(void *inst) {
  flushing *f = inst;
  char detail[32];
  f->calls++;
  paka_result result = PAKA_OK;
  if (strcmp(f->mode, "fail") == 0) result = PAKA_FAIL;
  else if (strcmp(f->mode, "retry") == 0) result = PAKA_RETRY;
  else if (strncmp(f->mode, "retry-until-", 12) == 0 && f->calls < atoi(f->mode + 12)) result = PAKA_RETRY;
  snprintf(detail, sizeof detail, "%d %s", f->calls, result == PAKA_OK ? "ok" : result == PAKA_RETRY ? "retry" : "fail");
  note(f, "flush", detail);
  if (result == PAKA_OK) {
    for (int i = 0; i < f->buffered; i++) note(f, "wrote", f->ids[i]);
    f->buffered = 0;
  }
  return result;
}

static void destroy(void *inst) {
  flushing *f = inst;
  note(f, "destroyed", "");
  if (f->record) fclose(f->record);
  free(f);
}

static const paka_plugin_descriptor descriptor = {
  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
  .name = "flushing", .version = FIXTURE_VERSION, .topics = topics, .topic_count = 1,
  .capabilities = PAKA_CAP_FLUSH,
  .create = create, .handle = handle, .destroy = destroy, .flush = flush,
};

const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }
