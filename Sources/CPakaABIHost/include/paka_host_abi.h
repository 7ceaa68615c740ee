/* paka_host_abi.h — host-only companions of paka_plugin.h.  Never given to plugin authors: these
 * symbols live in the host binary, which a plugin does not (and must not) link against.       */
#ifndef PAKA_HOST_ABI_H
#define PAKA_HOST_ABI_H
#include "paka_plugin.h"

/* The smallest descriptor and host table this ABI major accepts: the 1.0 sizes.  Later minors
 * append fields, so anything at least this big is read field by field up to its struct_size. */
extern const uint32_t paka_descriptor_min_size;
extern const size_t paka_host_min_size;

/* paka_plugin.h's own text, for `paka plugin header`. */
const char *paka_plugin_header(void);

#endif /* PAKA_HOST_ABI_H */
