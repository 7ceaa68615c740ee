#ifndef PAKA_CRDKAFKA_SHIM_H
#define PAKA_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
