#ifndef PAKA_CLIBPQ_SHIM_H
#define PAKA_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
