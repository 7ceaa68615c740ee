/// The C flavour of `paka plugin new`: one source file, the ABI header, a Makefile and a test
/// that drives the plugin through its descriptor with a stand-in host table.
struct CPluginTemplate {
    let name: String
    let topics: [String]

    var files: [(String, String)] {
        let id = PluginScaffold.cIdentifier(for: name)
        let topicList = topics.map { "\"\($0)\"" }.joined(separator: ", ")
        return [
            ("paka_plugin.h", PluginScaffold.headerText),
            ("\(id).c", """
                /* \(name): a Paka processor. Logs each event and publishes "\(name).processed". */
                #include <stdio.h>
                #include <stdlib.h>
                #include "paka_plugin.h"

                typedef struct { const paka_host *host; } \(id);
                static const char *topics[] = {\(topicList)};

                static int create(const paka_host *host, paka_bytes config, void **out, char *err, size_t cap) {
                  \(id) *p = calloc(1, sizeof *p);
                  if (!p) return snprintf(err, cap, "out of memory"), 1;
                  (void)config, p->host = host, *out = p;
                  return 0;
                }

                static void handle(void *inst, const paka_event *ev, size_t n, paka_event_result *res) {
                  const paka_host *h = ((\(id) *)inst)->host;
                  for (size_t i = 0; i < n; i++) {
                    char line[256], data[160];
                    int len = snprintf(line, sizeof line, "\(name) got %.*s on %.*s", (int)ev[i].id.len, (const char *)ev[i].id.ptr,
                                       (int)ev[i].topic.len, (const char *)ev[i].topic.ptr);
                    h->log(h->ctx, PAKA_LOG_INFO, (paka_bytes){(const uint8_t *)line, (size_t)len});
                    len = snprintf(data, sizeof data, "{\\"source\\":\\"%.*s\\"}", (int)ev[i].id.len, (const char *)ev[i].id.ptr);
                    paka_bytes topic = {(const uint8_t *)"\(name).processed", sizeof "\(name).processed" - 1};
                    int refused = h->publish(h->ctx, topic, ev[i].key, (paka_bytes){(const uint8_t *)data, (size_t)len}) != 0;
                    res[i] = (paka_event_result){refused ? PAKA_RETRY : PAKA_OK, refused ? "host refused to publish" : NULL};
                  }
                }

                static void destroy(void *inst) { free(inst); }

                static const paka_plugin_descriptor descriptor = {
                  .struct_size = sizeof(paka_plugin_descriptor), .abi_major = PAKA_ABI_MAJOR, .abi_minor = PAKA_ABI_MINOR,
                  .name = "\(name)", .version = "0.1.0", .topics = topics, .topic_count = sizeof topics / sizeof *topics,
                  .create = create, .handle = handle, .destroy = destroy,
                };
                const paka_plugin_descriptor *paka_plugin_entry(void) { return &descriptor; }

                """),
            ("test_\(id).c", """
                /* Drives the plugin through its descriptor with a stand-in host table: make test */
                #include <assert.h>
                #include <stdio.h>
                #include <string.h>
                #include "paka_plugin.h"

                static int published, logged;
                static int publish(void *ctx, paka_bytes topic, paka_bytes key, paka_bytes data) {
                  (void)ctx, (void)key, (void)data;
                  published += topic.len == strlen("\(name).processed");
                  return 0;
                }
                static void log_line(void *ctx, paka_log_level level, paka_bytes message) { (void)ctx, (void)level, (void)message; logged++; }
                static const char *data_dir(void *ctx) { (void)ctx; return "/tmp"; }

                int main(void) {
                  const paka_plugin_descriptor *d = paka_plugin_entry();
                  assert(d && d->abi_major == PAKA_ABI_MAJOR && strcmp(d->name, "\(name)") == 0);
                  paka_host host = {sizeof host, PAKA_ABI_MAJOR, PAKA_ABI_MINOR, NULL, publish, log_line, data_dir};
                  void *instance = NULL;
                  char error[256];
                  assert(d->create(&host, (paka_bytes){(const uint8_t *)"{}", 2}, &instance, error, sizeof error) == 0);
                  const char *id = "0b9c6a52-0000-4000-8000-000000000001", *payload = "{\\"data\\":{}}";
                  paka_event event = {{(const uint8_t *)id, strlen(id)}, {(const uint8_t *)"\(topics[0])", strlen("\(topics[0])")},
                                      {(const uint8_t *)"key", 3}, {(const uint8_t *)payload, strlen(payload)}, -1, -1, 1};
                  paka_event_result result;
                  d->handle(instance, &event, 1, &result);
                  assert(result.code == PAKA_OK && published == 1 && logged == 1);
                  d->destroy(instance);
                  puts("1 passed, 0 failed");
                  return 0;
                }

                """),
            ("Makefile", """
                # make        → lib\(id).so
                # make test   → runs test_\(id).c against the plugin
                CFLAGS ?= -O2 -Wall -Wextra
                lib\(id).so: \(id).c paka_plugin.h
                \t$(CC) $(CFLAGS) -shared -fPIC -o $@ \(id).c
                test: \(id).c test_\(id).c paka_plugin.h
                \t$(CC) $(CFLAGS) -o test_\(id) test_\(id).c \(id).c && ./test_\(id)
                clean:
                \trm -f lib\(id).so test_\(id)
                .PHONY: test clean

                """),
        ]
    }
}
