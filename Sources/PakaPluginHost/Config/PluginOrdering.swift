/// Which events of a plugin's partition must be applied one after another (`"ordering"` in
/// plugins.json). The host enforces it: an event is handed to the plugin only once every earlier
/// event with the same ordering key is finished, and no batch holds two events of one key, so a
/// RETRY can never be overtaken by a later event of its key.
public enum PluginOrdering: String, Sendable, Equatable, CaseIterable {
    /// Events with the same Kafka message key, in offset order; a message without a key is
    /// ordered with the other keyless messages of its partition. Different keys run in parallel.
    case key
    /// Every event of a partition, in offset order: one event of a partition at a time.
    case partition
    /// No order at all: any event may run beside any other (fastest; for idempotent,
    /// order-free work).
    case none
}
