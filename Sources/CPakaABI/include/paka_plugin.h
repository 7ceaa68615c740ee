/* paka_plugin.h — the Paka processor ABI, version 1.1.  See docs/plugin-abi.md.
 *
 * A processor is a shared library exporting one function, paka_plugin_entry, that returns a
 * static descriptor.  The host never needs the plugin's other symbols, and the plugin never
 * needs the host's: everything crosses through the two tables below.  Every rule a plugin may
 * rely on is written next to the field it concerns; docs/plugin-abi.md links each one here.
 *
 * OWNERSHIP, everywhere: "BORROWED" = valid only for the duration of the call that passed it;
 * copy what you keep.  "STATIC" = lives as long as the image.  Every allocation is freed by the
 * side that made it.  Buffers are {ptr, len}; they are NOT NUL-terminated unless stated, and
 * ptr may be NULL when len is 0.
 * VERSIONING: MAJOR changes break; MINOR only appends fields and capability bits, so a plugin
 * built against 1.0 loads unchanged on a 1.1 host and the other way round.
 * TYPES: every code that crosses the ABI is a fixed-width integer with named constants (no C
 * enums: their size depends on compiler flags such as -fshort-enums, and an unknown value in a
 * Rust enum is undefined behaviour).  Treat an unknown value as the safest known one.
 *
 * Changes in 1.1: publish_checked (three-way result with a reason), PAKA_HOST_HAS,
 * PAKA_PLUGIN_EXPORT, descriptor.description, codes as int32_t instead of enums (same size and
 * values as 1.0's enums), host-only declarations moved out of this header.                   */
#ifndef PAKA_PLUGIN_H
#define PAKA_PLUGIN_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define PAKA_ABI_MAJOR 1
#define PAKA_ABI_MINOR 1
#define PAKA_ENTRY_SYMBOL "paka_plugin_entry"

/* Put this on paka_plugin_entry: it stays exported even when the library is built with
 * -fvisibility=hidden (the host looks up nothing else).                                        */
#if defined(__GNUC__) || defined(__clang__)
#define PAKA_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define PAKA_PLUGIN_EXPORT
#endif

typedef struct paka_bytes { const uint8_t *ptr; size_t len; } paka_bytes;

/* What handle() answers for each event (and flush() for its work). */
typedef int32_t paka_result;
#define PAKA_OK 0    /* done: the host stores the offset                                        */
#define PAKA_RETRY 1 /* transient (outage, rate limit): redelivered with backoff, attempt + 1; the
                        event's partition waits meanwhile.  Dead-lettered only if plugins.json sets
                        retry.maxAttempts and they are used up: never answer RETRY for an event that
                        cannot succeed later, or its partition stops for good                       */
#define PAKA_FAIL 2  /* permanent (bad event, refused publish): dead-lettered to <topic>.dlq now    */
/* The host treats any other value as PAKA_FAIL.                                                */

typedef int32_t paka_log_level;
#define PAKA_LOG_DEBUG 0
#define PAKA_LOG_INFO 1
#define PAKA_LOG_WARN 2
#define PAKA_LOG_ERROR 3 /* any other value logs as INFO                                         */

/* What publish_checked answers (1.1).  The values equal the paka_result a plugin should give the
 * event that published when it cannot go on without the publish: res.code = status works.     */
typedef int32_t paka_publish_status;
#define PAKA_PUBLISH_OK 0      /* accepted (queued or produced in the background; not yet delivered) */
#define PAKA_PUBLISH_RETRY 1   /* not now (e.g. the host is still starting): answer PAKA_RETRY       */
#define PAKA_PUBLISH_REFUSED 2 /* never (topic not a valid Kafka name, data not one JSON value):
                                  answer PAKA_FAIL; retrying the same publish cannot succeed        */

/* Capability bits: which optional hooks of the descriptor are present. */
#define PAKA_CAP_FLUSH  (1ull << 0)
#define PAKA_CAP_HEALTH (1ull << 1)
#define PAKA_CAP_HTTP   (1ull << 2)

/* One event.  All fields BORROWED for the duration of handle(). */
typedef struct paka_event {
  paka_bytes id;        /* CloudEvents id, the idempotency key: a non-empty UTF-8 string chosen by
                           whoever produced the event.  The host's own are UUIDs, but the host does
                           not enforce a format: expect any length and any character (quotes,
                           backslashes, NUL): bound your buffers and escape it before writing JSON */
  paka_bytes topic;
  paka_bytes key;       /* Kafka key = resource id; may be empty; any bytes                        */
  paka_bytes payload;   /* the CloudEvents 1.0 JSON envelope (valid JSON, UTF-8); the body is "data" */
  int32_t partition;    /* -1 when processed synchronously (Kafka not connected)                   */
  int64_t offset;       /* -1 when processed synchronously                                         */
  uint32_t attempt;     /* 1 on first delivery, 2 on the first retry, ...                          */
} paka_event;

/* One result per event.  The host PRE-FILLS every entry with {PAKA_RETRY, NULL}: an entry the
 * plugin leaves untouched is retried.  ORDERING is the host's job: a batch never holds two events
 * of one ordering key (plugins.json "ordering", the Kafka key by default) and a key's later events
 * wait until it is answered OK or FAIL, so answer each event on its own; a RETRY holds its key.
 * error: PLUGIN-OWNED, NUL-terminated, may be NULL; must stay valid until the plugin's next call
 * on the same instance (a string literal is fine).  The host copies it before that.           */
typedef struct paka_event_result { paka_result code; const char *error; } paka_event_result;

typedef struct paka_http_request {      /* every field BORROWED for the call                     */
  paka_bytes method, path, query, body; /* path is below /plugins/<name>, starts with "/"         */
  paka_bytes content_type;
} paka_http_request;
typedef struct paka_http_response {     /* HOST-OWNED struct, filled by the plugin               */
  int32_t status;                       /* PRE-SET to 500 by the host: a hook that returns without
                                           setting it answers 500                                */
  paka_bytes content_type, body;        /* PLUGIN-OWNED until its next call on the same instance;
                                           pre-set empty                                         */
} paka_http_response;

/* The host table: const, size-prefixed, append-only.  LIFETIME: the table, ctx and everything
 * they point to are valid from the create() call that received them until destroy() of that
 * instance returns — never call them after (stop your threads inside destroy).  Every function
 * may be called from any thread, during or outside handle(), also from create().            */
typedef struct paka_host {
  size_t struct_size;          /* sizeof(paka_host) as the HOST was built.  A field added after 1.0
                                  may be used only when PAKA_HOST_HAS(host, field) says it is there.
                                  (size_t here but uint32_t in the descriptor: 1.0's layout, kept.) */
  uint16_t abi_major, abi_minor; /* the host's ABI version                                        */
  void *ctx;                   /* HOST-OWNED: pass back as the first argument; lifetime as above  */
  /* 1.0 publish: {"data": <data_json>} as a CloudEvent of type <topic>, key/subject <key>.  The
   * host copies every buffer before returning.  Returns 0 when accepted, -1 when not — for a
   * reason that will never change (invalid topic, data not JSON) AND for a passing one (host not
   * ready), which 1.0 cannot tell apart.  Prefer publish_checked when PAKA_HOST_HAS it.        */
  int (*publish)(void *ctx, paka_bytes topic, paka_bytes key, paka_bytes data_json);
  void (*log)(void *ctx, paka_log_level level, paka_bytes message); /* message BORROWED        */
  /* Host's data directory for this plugin, NUL-terminated, HOST-OWNED, valid until destroy.  The
   * host does not create it.                                                                  */
  const char *(*data_dir)(void *ctx);

  /* ---- 1.1 (check PAKA_HOST_HAS(host, publish_checked) first) ---- */
  /* publish, answering why not: PAKA_PUBLISH_OK / _RETRY / _REFUSED (paka_publish_status).  On
   * anything but OK the host writes a NUL-terminated reason into why (CALLER-OWNED, why_cap bytes,
   * truncated to fit; why may be NULL when why_cap is 0).  All buffers BORROWED, copied.       */
  paka_publish_status (*publish_checked)(void *ctx, paka_bytes topic, paka_bytes key, paka_bytes data_json,
                                         char *why, size_t why_cap);
} paka_host;

/* Non-zero when the host table carries <field> (fields appended in a later minor are absent on an
 * older host).  Needed for every field after data_dir.                                        */
#define PAKA_HOST_HAS(host, field) \
  ((host)->struct_size >= offsetof(paka_host, field) + sizeof(((paka_host *)0)->field))

typedef struct paka_plugin_descriptor {
  uint32_t struct_size;                  /* sizeof(paka_plugin_descriptor) the plugin saw: the host
                                            reads no byte past it and gives absent fields their
                                            default (NULL / 0)                                    */
  uint16_t abi_major, abi_minor;         /* PAKA_ABI_MAJOR / PAKA_ABI_MINOR                        */
  const char *name;                      /* STATIC, [a-z0-9_-]{1,64}, unique within a host         */
  const char *version;                   /* STATIC, semantic version, non-empty                    */
  const char *const *topics;             /* STATIC array of topic_count NUL-terminated names        */
  size_t topic_count;
  const char *default_group;             /* STATIC consumer group id, or NULL for paka-<name>      */
  uint64_t capabilities;                 /* PAKA_CAP_* bits: which optional hooks are set; bits the
                                            host does not know are switched off                   */

  /* create: host — see the host table's LIFETIME; config_json BORROWED (the entry's "config"
   * object, ${ENV} expanded, compact JSON, "{}" when absent).  Store the instance in *instance.
   * On failure return non-zero and write a NUL-terminated reason into error (HOST-OWNED,
   * error_cap bytes); the version is then refused and a running one keeps serving.            */
  int (*create)(const paka_host *host, paka_bytes config_json, void **instance,
                char *error, size_t error_cap);
  /* handle: events BORROWED; results HOST-OWNED, count entries, pre-filled (see
   * paka_event_result).  The host calls an instance from one thread at a time (handle, flush,
   * health and http alike); different instances may run at once.  count >= 1.              */
  void (*handle)(void *instance, const paka_event *events, size_t count, paka_event_result *results);
  void (*destroy)(void *instance);       /* after the last call; free everything of the instance   */

  /* Optional hooks (NULL unless the capability bit is set). */
  paka_result (*flush)(void *instance);  /* before shutdown or swap: finish buffered work          */
  int (*health)(void *instance, char *message, size_t message_cap); /* 0 = healthy; message HOST-OWNED */
  void (*http)(void *instance, const paka_http_request *request, paka_http_response *response);

  /* ---- 1.1 ---- */
  const char *description;               /* STATIC one-line summary, or NULL                       */
} paka_plugin_descriptor;

/* The one exported symbol.  Returns a STATIC descriptor (never NULL for a working plugin).
 * Define it as:  PAKA_PLUGIN_EXPORT const paka_plugin_descriptor *paka_plugin_entry(void) {...} */
typedef const paka_plugin_descriptor *(*paka_plugin_entry_fn)(void);
#ifndef __swift__ /* Swift plugins export it with @_cdecl (see PakaPluginSDK)                  */
PAKA_PLUGIN_EXPORT const paka_plugin_descriptor *paka_plugin_entry(void);
#endif

#ifdef __cplusplus
}
#endif
#endif /* PAKA_PLUGIN_H */
