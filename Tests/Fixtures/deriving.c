/* Test fixture for exactly-once delivery: a processor that publishes one derived event per
 * input, as document/report/notification do.
 *
 * Consumes "derive.in". Per event, from the CloudEvent payload:
 *   "fail":true      answers FAIL, publishes nothing (the input goes to derive.in.dlq)
 *   "retries":N      while the attempt is <= N: publishes {"from":"<id>","attempt":<a>} to
 *                    derive.out and answers RETRY (that publish must never become visible)
 *   "delayMs":N      sleeps N ms before answering
 *   "stallMs":N      unless the file named by the config's "marker" member exists, or this event
 *                    stalled before: creates it, then sleeps N ms (a test deletes the file to arm
 *                    the next stall):
 *                    a test kills the host while this plugin is inside handle (with one lane
 *                    the consumer loop is in handle too, so never inside a commit)
 * otherwise publishes {"from":"<id>"} to derive.out (key = the input's key) and answers OK.
 * A publish the host does not take turns the answer into RETRY (FAIL when refused for good).
 *
 * With a "record" member in the config, every handle of an event appends
 * "<version> <id> <attempt> <partition>" to that file (what the hot swap, pause and offsets tests
 * count: which version handled what, and how often).
 * -DFIXTURE_VERSION='"2.0.0"' sets the version; -DFIXED ignores "fail" (the fix a replay needs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "paka_plugin.h"

#ifndef FIXTURE_VERSION
#define FIXTURE_VERSION "1.0.0"
#endif
#ifdef FIXED
static const int honours_fail = 0;
#else
static const int honours_fail = 1;
#endif

typedef struct { const paka_host *host; char marker[512]; FILE *record; } deriving;

static const char *topics[] = {"derive.in"};

static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
  char text[1024] = {0};
  memcpy(text, config.ptr, config.len < sizeof text - 1 ? config.len : sizeof text - 1);
  deriving *d = calloc(1, sizeof *d);
  if (!d) return snprintf(err, cap, "out of memory"), 1;
  d->host = host;
  const char *at = strstr(text, "\"marker\":\"");
  if (at) {
    at += strlen("\"marker\":\"");
    size_t n = strcspn(at, "\"");
    if (n < sizeof d->marker) memcpy(d->marker, at, n);
  }
  char record[512] = {0};
  if ((at = strstr(text, "\"record\":\""))) {
    at += strlen("\"record\":\"");
    size_t n = strcspn(at, "\"");
    if (n < sizeof record) memcpy(record, at, n);
    if (!(d->record = fopen(record, "a"))) return snprintf(err, cap, "cannot open record file %s", record), free(d), 1;
  }
  *out = d;
  return 0;
}

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

/* Each event stalls once: its id goes into "<marker>.history" (a host killed at a stall counts
 * as a crash of that event, and two crashes would dead-letter it). */
static int stalled_before(deriving *d, const paka_event *ev) {
  char path[600], line[300], id[300];
  snprintf(path, sizeof path, "%s.history", d->marker);
  snprintf(id, sizeof id, "%.*s\n", (int)ev->id.len, (const char *)ev->id.ptr);
  FILE *f = fopen(path, "r");
  int seen = 0;
  if (f) {
    while (!seen && fgets(line, sizeof line, f)) seen = strcmp(line, id) == 0;
    fclose(f);
  }
  if (!seen && (f = fopen(path, "a"))) { fputs(id, f); fclose(f); }
  return seen;
}

static paka_result publish(deriving *d, const paka_event *ev, int retrying) {
  char data[256];
  int len = retrying ? snprintf(data, sizeof data, "{\"from\":\"%.*s\",\"attempt\":%u}", (int)ev->id.len, (const char *)ev->id.ptr, ev->attempt)
                     : snprintf(data, sizeof data, "{\"from\":\"%.*s\"}", (int)ev->id.len, (const char *)ev->id.ptr);
  paka_bytes topic = {(const uint8_t *)"derive.out", 10}, body = {(const uint8_t *)data, (size_t)len};
  return (paka_result)d->host->publish_checked(d->host->ctx, topic, ev->key, body, NULL, 0);
}

static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
  deriving *d = inst;
  for (size_t i = 0; i < n; i++) {
    long delay = number(ev[i].payload, "delayMs");
    if (delay > 0) usleep((useconds_t)delay * 1000);
    long stall = number(ev[i].payload, "stallMs");
    if (stall > 0 && d->marker[0] && access(d->marker, F_OK) != 0 && !stalled_before(d, &ev[i])) {
      FILE *f = fopen(d->marker, "w");
      if (f) fclose(f);
      usleep((useconds_t)stall * 1000);
    }
    if (d->record) {
      fprintf(d->record, FIXTURE_VERSION " %.*s %u %d\n", (int)ev[i].id.len, (const char *)ev[i].id.ptr, ev[i].attempt, ev[i].partition);
      fflush(d->record);
    }
    res[i].error = NULL;
    if (honours_fail && contains(ev[i].payload, "\"fail\":true")) {
      res[i].code = PAKA_FAIL, res[i].error = "event asked to fail";
    } else if ((long)ev[i].attempt <= number(ev[i].payload, "retries")) {
      publish(d, &ev[i], 1);
      res[i].code = PAKA_RETRY, res[i].error = "not yet";
    } else {
      res[i].code = publish(d, &ev[i], 0);
      if (res[i].code != PAKA_OK) res[i].error = "publish not taken";
    }
  }
}

static void destroy(void *inst) { deriving *d = inst; if (d->record) fclose(d->record); free(d); }

static const paka_plugin_descriptor descriptor = {
  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
  .name = "deriving", .version = FIXTURE_VERSION, .topics = topics, .topic_count = 1,
  .create = create, .handle = handle, .destroy = destroy,
};

const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }
