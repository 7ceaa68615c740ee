import PakaKafka
import PakaPluginHost

/// The parts of a plugin's entry a consumer is built from: lanes, batch size, ordering, the
/// window bound, the prefetch cap and the delivery guarantee.
struct ConsumerShape: Equatable, Sendable {
    var concurrency: Int
    var batchSize: Int
    var ordering: PluginOrdering
    var maxInFlight: Int
    var prefetchKBytes: Int
    /// Exactly-once needs a transactional producer and a `read_committed` consumer made at start.
    var delivery: PluginDelivery

    init(_ entry: PluginEntry) {
        concurrency = max(entry.concurrency, 1)
        batchSize = max(entry.batchSize, 1)
        ordering = entry.ordering
        maxInFlight = max(entry.maxInFlight, 1)
        prefetchKBytes = entry.prefetchKBytes
        delivery = entry.delivery
    }

    /// librdkafka prefetches up to 100 000 messages or 64 MiB per consumer by default: a plugin
    /// far behind its input would hold that much for nothing. The consumer fetches ahead what
    /// the windows can take (`maxInFlight` messages a partition) within `prefetchKBytes`. A
    /// property set explicitly (plugins.json's `kafka` section, `KAFKA_PROPERTY_*`) wins.
    func sizePrefetch(_ configuration: inout KafkaConfiguration) {
        if configuration.properties["queued.min.messages"] == nil {
            configuration.properties["queued.min.messages"] = String(maxInFlight)
        }
        if configuration.properties["queued.max.messages.kbytes"] == nil {
            configuration.properties["queued.max.messages.kbytes"] = String(prefetchKBytes)
        }
    }
}
