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

    /// librdkafka prefetches up to 64 MiB per consumer by default: a plugin far behind its input
    /// would hold that much for nothing. `prefetchKBytes` caps it (`queued.max.messages.kbytes`).
    /// Why not `queued.min.messages` too: librdkafka 2.0.2 stops fetching a partition for a whole
    /// second once its queue holds that many messages, and one fetch brings up to 1 MiB per
    /// partition — a low count stalled a no-op consumer at 1 800 events/s. A property set
    /// explicitly (plugins.json's `kafka` section, `KAFKA_PROPERTY_*`) wins.
    func sizePrefetch(_ configuration: inout KafkaConfiguration) {
        if configuration.properties["queued.max.messages.kbytes"] == nil {
            configuration.properties["queued.max.messages.kbytes"] = String(prefetchKBytes)
        }
    }
}
