#include "paka_host_abi.h"
#include <stddef.h>

/* 1.0 descriptors end with the optional hooks; a plugin compiled against 1.0 always carries
 * them (NULL when unused), so the full 1.0 struct is the minimum. Later minors append fields. */
const uint32_t paka_descriptor_min_size =
    (uint32_t)(offsetof(paka_plugin_descriptor, http) + sizeof(((paka_plugin_descriptor *)0)->http));
const size_t paka_host_min_size = offsetof(paka_host, data_dir) + sizeof(((paka_host *)0)->data_dir);

/* The plugin header's own text, so `paka plugin header` serves authors who do not have the repository. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc23-extensions"
static const char header_text[] = {
#embed "../CPakaABI/include/paka_plugin.h"
    , 0};
#pragma clang diagnostic pop

const char *paka_plugin_header(void) { return header_text; }
