/// The C scaffold's `make test` program, with NAME, IDENT and FIRST_TOPIC still to fill in: one
/// check per rule the plugin's header comment lists, against a stand-in host table.
enum CPluginTestSource {
    static let text = #"""
/* make test: drives the plugin through its descriptor with a stand-in host table.  Each check is
 * a rule the plugin must keep (see the top of IDENT.c); change the plugin, keep them passing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "paka_plugin.h"

static int passed, failed;
#define CHECK(what, cond) ((cond) ? (void)passed++ : (void)(failed++, fprintf(stderr, "FAILED: %s (%s:%d)\n", what, __FILE__, __LINE__)))

/* The stand-in host: answers publishes from `answers` (then OK), remembers what it saw. */
static paka_publish_status answers[8];
static size_t answer_count, answered;
static int published, logged, calls; /* calls: every publish, taken or not */
static char data_seen[4096], log_seen[4096];
static size_t data_len, log_len;

static paka_publish_status next_answer(void) {
  calls++;
  return answered < answer_count ? answers[answered++] : PAKA_PUBLISH_OK;
}
static void remember(char *into, size_t *len, paka_bytes b) {
  *len = b.len < 4095 ? b.len : 4095;
  memcpy(into, b.ptr, *len), into[*len] = 0;
}
static paka_publish_status publish_checked(void *ctx, paka_bytes topic, paka_bytes key, paka_bytes data, char *why, size_t cap) {
  (void)ctx, (void)topic, (void)key;
  paka_publish_status status = next_answer();
  if (status == PAKA_PUBLISH_OK) published++, remember(data_seen, &data_len, data);
  else snprintf(why, cap, "%s", status == PAKA_PUBLISH_RETRY ? "host is starting" : "topic is not valid");
  return status;
}
static int publish_10(void *ctx, paka_bytes topic, paka_bytes key, paka_bytes data) {
  (void)ctx, (void)topic, (void)key;
  if (next_answer() != PAKA_PUBLISH_OK) return -1;
  published++, remember(data_seen, &data_len, data);
  return 0;
}
static void log_line(void *ctx, paka_log_level level, paka_bytes message) {
  (void)ctx, (void)level, logged++, remember(log_seen, &log_len, message);
}
static const char *data_dir(void *ctx) { (void)ctx; return "/tmp"; }

static paka_host host_11 = {sizeof(paka_host), PAKA_ABI_MAJOR, PAKA_ABI_MINOR, NULL, publish_10, log_line, data_dir, publish_checked};
/* A 1.0 host's table ends before publish_checked. */
static paka_host host_10 = {offsetof(paka_host, publish_checked), 1, 0, NULL, publish_10, log_line, data_dir, NULL};

static const paka_plugin_descriptor *d;

static void *start(const paka_host *host) {
  void *instance = NULL;
  char error[256];
  int status = d->create(host, (paka_bytes){(const uint8_t *)"{}", 2}, &instance, error, sizeof error);
  CHECK("create succeeds", status == 0);
  published = logged = 0, answered = answer_count = 0;
  return instance;
}

static paka_event event(const char *id, size_t id_len, int32_t partition) {
  static const char payload[] = "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"test\",\"type\":\"t\",\"data\":{}}";
  return (paka_event){{(const uint8_t *)id, id_len}, {(const uint8_t *)FIRST_TOPIC, strlen(FIRST_TOPIC)}, {(const uint8_t *)"key", 3},
                      {(const uint8_t *)payload, sizeof payload - 1}, partition, partition < 0 ? -1 : 7, 1};
}

/* Handles `n` events with results pre-filled as the host does. */
static void handle(void *instance, const paka_event *events, size_t n, paka_event_result *results) {
  for (size_t i = 0; i < n; i++) results[i] = (paka_event_result){PAKA_RETRY, NULL};
  d->handle(instance, events, n, results);
}

static int contains(const char *text, const char *part) { return text && strstr(text, part) != NULL; }

int main(void) {
  d = paka_plugin_entry();
  CHECK("descriptor is this ABI", d && d->abi_major == PAKA_ABI_MAJOR && d->struct_size == sizeof(paka_plugin_descriptor));
  CHECK("descriptor is named NAME", d && strcmp(d->name, "NAME") == 0);
  if (!d) return 1;
  paka_event_result r[3];

  /* 1. an ordinary event: logged, published, OK. */
  void *p = start(&host_11);
  const char *uuid = "0b9c6a52-0000-4000-8000-000000000001";
  paka_event one = event(uuid, strlen(uuid), -1);
  handle(p, &one, 1, r);
  CHECK("an ordinary event is OK", r[0].code == PAKA_OK && published == 1 && logged == 1);
  CHECK("the derived event names its source", strcmp(data_seen, "{\"source\":\"0b9c6a52-0000-4000-8000-000000000001\"}") == 0);

  /* 2. a 300-byte id full of quotes and backslashes: valid JSON, and a log line that stops at its buffer. */
  char id[300], expected[700] = "{\"source\":\"";
  size_t at = strlen(expected);
  for (size_t i = 0; i < sizeof id; i++) {
    id[i] = "a\"b\\c"[i % 5];
    if (id[i] == '"' || id[i] == '\\') expected[at++] = '\\';
    expected[at++] = id[i];
  }
  memcpy(expected + at, "\"}", 3);
  paka_event hostile = event(id, sizeof id, -1);
  handle(p, &hostile, 1, r);
  CHECK("a hostile id is OK", r[0].code == PAKA_OK);
  CHECK("a hostile id is escaped in the JSON", strcmp(data_seen, expected) == 0);
  CHECK("the log line is cut at its buffer, never read past", log_len < 256 && log_len > 200 && strncmp(log_seen, "NAME got a\"b\\c", sizeof "NAME got a\"b\\c" - 1) == 0);

  /* 3. a publish refused for good FAILs the event (a RETRY would repeat forever). */
  answers[0] = PAKA_PUBLISH_REFUSED, answer_count = 1, answered = 0;
  handle(p, &one, 1, r);
  CHECK("a refused publish FAILs the event", r[0].code == PAKA_FAIL && contains(r[0].error, "topic is not valid"));

  /* 4. "not now" RETRYs it. */
  answers[0] = PAKA_PUBLISH_RETRY, answer_count = 1, answered = 0;
  handle(p, &one, 1, r);
  CHECK("a publish the host cannot take now RETRYs the event", r[0].code == PAKA_RETRY && contains(r[0].error, "host is starting"));

  /* 5. each event is answered on its own merits (the host keeps each key's order). */
  paka_event batch[3] = {event("e1", 2, 0), event("e2", 2, 0), event("e3", 2, 1)};
  answers[0] = PAKA_PUBLISH_RETRY, answer_count = 1, answered = 0, published = calls = 0;
  handle(p, batch, 3, r);
  CHECK("the event that could not publish RETRYs", r[0].code == PAKA_RETRY);
  CHECK("the other events are handled, the same partition's too", r[1].code == PAKA_OK && r[2].code == PAKA_OK && calls == 3);
  CHECK("and publish", published == 2 && strcmp(data_seen, "{\"source\":\"e3\"}") == 0);
  d->destroy(p);

  /* 6. on a 1.0 host (no publish_checked) a refusal still FAILs. */
  p = start(&host_10);
  answers[0] = PAKA_PUBLISH_REFUSED, answer_count = 1, answered = 0;
  handle(p, &one, 1, r);
  CHECK("on a 1.0 host a refused publish FAILs", r[0].code == PAKA_FAIL);
  handle(p, &one, 1, r);
  CHECK("on a 1.0 host an accepted publish is OK", r[0].code == PAKA_OK && published == 1);
  d->destroy(p);

  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
"""#
}
