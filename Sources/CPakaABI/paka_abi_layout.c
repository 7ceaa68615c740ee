#include "paka_plugin.h"

/* Minor versions only append: the 1.0 part of both tables must keep its exact layout, or every
 * plugin already built stops working.  These fail the build, not a deployment, if an edit moves
 * a 1.0 field (offsets for LP64, the only data model the host runs on).                        */
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
_Static_assert(offsetof(paka_host, ctx) == 16 && offsetof(paka_host, publish) == 24 && offsetof(paka_host, data_dir) == 40,
               "the 1.0 host table layout changed: append new fields instead");
_Static_assert(offsetof(paka_plugin_descriptor, create) == 56 && offsetof(paka_plugin_descriptor, http) == 96,
               "the 1.0 descriptor layout changed: append new fields instead");
_Static_assert(sizeof(paka_result) == 4 && sizeof(paka_log_level) == 4 && sizeof(paka_event_result) == 16,
               "result codes must stay 32-bit like 1.0's enums");
#endif
