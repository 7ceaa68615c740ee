/* paka_plugin.h — the Paka processor ABI, version 1.0 (kept as a test fixture: the header 1.0 plugins were built with; do not edit).  See docs/plugin-abi.md.
 *
 * A processor is a shared library exporting one function, paka_plugin_entry, that returns a
 * static descriptor.  The host never needs the plugin's other symbols, and the plugin never
 * needs the host's: everything crosses through the two tables below.
 *
 * OWNERSHIP, everywhere: "BORROWED" = valid only for the duration of the call that passed it;
 * copy what you keep.  "STATIC" = lives as long as the image.  Every allocation is freed by the
 * side that made it.  Buffers are {ptr, len}; they are NOT NUL-terminated unless stated.
 * Versioning: MAJOR changes break; MINOR only appends fields and capability bits.           */
#ifndef PAKA_PLUGIN_H
#define PAKA_PLUGIN_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define PAKA_ABI_MAJOR 1
#define PAKA_ABI_MINOR 0
#define PAKA_ENTRY_SYMBOL "paka_plugin_entry"

typedef struct paka_bytes { const uint8_t *ptr; size_t len; } paka_bytes;

typedef enum paka_result {
  PAKA_OK = 0,    /* done: the host stores the offset                                    */
  PAKA_RETRY = 1, /* transient (outage, rate limit): retried with backoff; dead-lettered only if
                     plugins.json sets retry.maxAttempts and they are used up              */
  PAKA_FAIL = 2   /* permanent (bad event): dead-lettered to <topic>.dlq now              */
} paka_result;

typedef enum paka_log_level { PAKA_LOG_DEBUG = 0, PAKA_LOG_INFO = 1, PAKA_LOG_WARN = 2, PAKA_LOG_ERROR = 3 } paka_log_level;

/* Capability bits: which optional hooks of the descriptor are present. */
#define PAKA_CAP_FLUSH  (1ull << 0)
#define PAKA_CAP_HEALTH (1ull << 1)
#define PAKA_CAP_HTTP   (1ull << 2)

/* One event.  All fields BORROWED for the duration of handle(). */
typedef struct paka_event {
  paka_bytes id;        /* CloudEvents id (UUID text): the idempotency key                 */
  paka_bytes topic;
  paka_bytes key;       /* Kafka key = resource id; may be empty                            */
  paka_bytes payload;   /* the CloudEvents 1.0 JSON envelope; the event body is its "data"   */
  int32_t partition;    /* -1 when processed synchronously (Kafka not connected)            */
  int64_t offset;       /* -1 when processed synchronously                                  */
  uint32_t attempt;     /* 1 on first delivery, 2 on the first retry, ...                   */
} paka_event;

/* One result per event.  error: PLUGIN-OWNED, NUL-terminated, may be NULL; must stay valid
 * until the plugin's next call on the same instance.  The host copies it before that.    */
typedef struct paka_event_result { paka_result code; const char *error; } paka_event_result;

typedef struct paka_http_request {      /* every field BORROWED for the call               */
  paka_bytes method, path, query, body; /* path is below /plugins/<name>, starts with "/"   */
  paka_bytes content_type;
} paka_http_request;
typedef struct paka_http_response {     /* filled by the plugin; buffers PLUGIN-OWNED until */
  int32_t status;                       /* its next call on the same instance              */
  paka_bytes content_type, body;
} paka_http_response;

/* The host table: const, size-prefixed, append-only.  Every function may be called from any
 * thread, during or outside handle().  Check struct_size before using a field added later. */
typedef struct paka_host {
  size_t struct_size;
  uint16_t abi_major, abi_minor;
  void *ctx;                                     /* HOST-OWNED: pass back as the first argument */
  /* Publish {"data": <data_json>} as a CloudEvent of type <topic>, key/subject <key>.  The host
   * copies every buffer before returning.  Returns 0 on success, -1 if the topic is invalid or
   * data_json is not a JSON value.                                                           */
  int (*publish)(void *ctx, paka_bytes topic, paka_bytes key, paka_bytes data_json);
  void (*log)(void *ctx, paka_log_level level, paka_bytes message);
  /* Host's data directory for this plugin, NUL-terminated, HOST-OWNED, valid until destroy.   */
  const char *(*data_dir)(void *ctx);
} paka_host;

typedef struct paka_plugin_descriptor {
  uint32_t struct_size;                  /* sizeof(paka_plugin_descriptor) the plugin saw   */
  uint16_t abi_major, abi_minor;         /* PAKA_ABI_MAJOR / PAKA_ABI_MINOR                 */
  const char *name;                      /* STATIC, [a-z0-9_-]+, unique within a host       */
  const char *version;                   /* STATIC, semantic version                        */
  const char *const *topics;             /* STATIC array of topic_count NUL-terminated names */
  size_t topic_count;
  const char *default_group;             /* STATIC consumer group id, or NULL for paka-<name> */
  uint64_t capabilities;                 /* PAKA_CAP_* bits: which optional hooks are set    */

  /* create: config_json BORROWED (the entry's "config" object, ${ENV} expanded).  On failure
   * return non-zero and write a NUL-terminated reason into error (HOST-OWNED, error_cap bytes). */
  int (*create)(const paka_host *host, paka_bytes config_json, void **instance,
                char *error, size_t error_cap);
  /* handle: events BORROWED; results HOST-OWNED, count entries, filled by the plugin.  The host
   * calls an instance from one thread at a time; count >= 1.                               */
  void (*handle)(void *instance, const paka_event *events, size_t count, paka_event_result *results);
  void (*destroy)(void *instance);       /* after the last call; free everything of the instance */

  /* Optional hooks (NULL unless the capability bit is set). */
  paka_result (*flush)(void *instance);  /* before shutdown or swap: finish buffered work    */
  int (*health)(void *instance, char *message, size_t message_cap); /* 0 = healthy; message HOST-OWNED */
  void (*http)(void *instance, const paka_http_request *request, paka_http_response *response);
} paka_plugin_descriptor;

/* The one exported symbol.  Returns a STATIC descriptor (never NULL for a working plugin). */
typedef const paka_plugin_descriptor *(*paka_plugin_entry_fn)(void);
#ifndef __swift__ /* Swift plugins export it with @_cdecl (see PakaPluginSDK)                  */
const paka_plugin_descriptor *paka_plugin_entry(void);
#endif

/* Host side: the smallest descriptor and host table this ABI major accepts (the 1.0 sizes). */
extern const uint32_t paka_descriptor_min_size;
extern const size_t paka_host_min_size;
const char *paka_plugin_header(void);      /* this file's text, for `paka plugin header` */

#ifdef __cplusplus
}
#endif
#endif /* PAKA_PLUGIN_H */
