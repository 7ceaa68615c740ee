/* The consume-path baseline of scripts/bench: the least a plugin host must do, in C.
 *
 *   minimal_host BOOTSTRAP TOPIC COUNT PLUGIN.so [BATCH]
 *
 * Joins its own consumer group on TOPIC, reads up to BATCH messages per call
 * (rd_kafka_consume_batch_queue), hands them to the plugin's handle() through the real ABI
 * (dlopen + paka_plugin_entry), then stores the offsets of the batch per partition (at-least-once:
 * offsets only after the plugin answered; librdkafka commits them in the background). Prints the
 * seconds from the first message to the COUNT-th, like the host's consume benchmark.
 * No envelope validation, no retries, no dead letters, no metrics: a lower bound on host cost. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include "paka_plugin.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int host_publish(void *ctx, paka_bytes topic, paka_bytes key, paka_bytes data) {
  (void)ctx, (void)topic, (void)key, (void)data;
  return -1;
}
static void host_log(void *ctx, paka_log_level level, paka_bytes message) { (void)ctx, (void)level, (void)message; }
static const char *host_data_dir(void *ctx) { (void)ctx; return "/tmp"; }

static void die(const char *what, const char *detail) {
  fprintf(stderr, "minimal_host: %s: %s\n", what, detail ? detail : "");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 5) die("usage", "minimal_host BOOTSTRAP TOPIC COUNT PLUGIN.so [BATCH]");
  const char *bootstrap = argv[1], *topic = argv[2], *plugin_path = argv[4];
  long count = strtol(argv[3], NULL, 10);
  size_t batch = argc > 5 ? (size_t)strtoul(argv[5], NULL, 10) : 500;
  if (count <= 0 || batch == 0) die("usage", "COUNT and BATCH must be positive");

  void *image = dlopen(plugin_path, RTLD_NOW | RTLD_LOCAL);
  if (!image) die("dlopen", dlerror());
  paka_plugin_entry_fn entry = (paka_plugin_entry_fn)dlsym(image, PAKA_ENTRY_SYMBOL);
  if (!entry) die("dlsym", dlerror());
  const paka_plugin_descriptor *plugin = entry();
  paka_host host = {.struct_size = sizeof host, .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
                    .ctx = NULL, .publish = host_publish, .log = host_log, .data_dir = host_data_dir};
  void *instance = NULL;
  char error[512] = "";
  if (plugin->create(&host, (paka_bytes){(const uint8_t *)"{}", 2}, &instance, error, sizeof error) != 0) die("create", error);

  char errstr[512], group[64];
  snprintf(group, sizeof group, "bench-minimal-host-%ld", (long)getpid());
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  const char *pairs[][2] = {{"bootstrap.servers", bootstrap}, {"group.id", group}, {"auto.offset.reset", "earliest"},
                            {"enable.auto.offset.store", "false"}, {"fetch.wait.max.ms", "10"}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    if (rd_kafka_conf_set(conf, pairs[i][0], pairs[i][1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK) die(pairs[i][0], errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!rk) die("rd_kafka_new", errstr);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t *subscription = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(subscription, topic, RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, subscription);
  rd_kafka_topic_partition_list_destroy(subscription);
  rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);

  rd_kafka_message_t **messages = calloc(batch, sizeof *messages);
  paka_event *events = calloc(batch, sizeof *events);
  paka_event_result *results = calloc(batch, sizeof *results);
  long handled = 0;
  double start = 0;
  while (handled < count) {
    ssize_t got = rd_kafka_consume_batch_queue(queue, 100, messages, batch);
    if (got <= 0) continue;
    size_t n = 0;
    for (ssize_t i = 0; i < got; i++) {
      rd_kafka_message_t *m = messages[i];
      if (m->err) continue;
      events[n++] = (paka_event){.id = {NULL, 0}, .topic = {(const uint8_t *)topic, strlen(topic)},
                                 .key = {m->key, m->key_len}, .payload = {m->payload, m->len},
                                 .partition = m->partition, .offset = m->offset, .attempt = 1};
    }
    if (n > 0) {
      if (start == 0) start = now();
      plugin->handle(instance, events, n, results);
      /* Store the next offset of every partition seen in this batch (messages are in order). */
      rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(8);
      for (ssize_t i = 0; i < got; i++) {
        rd_kafka_message_t *m = messages[i];
        if (m->err) continue;
        rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_find(offsets, topic, m->partition);
        if (!p) p = rd_kafka_topic_partition_list_add(offsets, topic, m->partition);
        p->offset = m->offset + 1;
      }
      rd_kafka_offsets_store(rk, offsets);
      rd_kafka_topic_partition_list_destroy(offsets);
      handled += (long)n;
    }
    for (ssize_t i = 0; i < got; i++) rd_kafka_message_destroy(messages[i]);
  }
  double seconds = now() - start;
  printf("%.6f\n", seconds);
  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  plugin->destroy(instance);
  return 0;
}
