/// What the host promises about a plugin's Kafka outputs (`"delivery"` in plugins.json).
public enum PluginDelivery: String, Sendable, Equatable, CaseIterable {
    /// Offsets are stored once an event is finished; a crash or rebalance before they are
    /// committed redelivers the event, and what the plugin published for it is published again.
    case atLeastOnce = "at-least-once"
    /// The events a plugin publishes while handling an event, the dead letters and the consumed
    /// offsets are committed in one Kafka transaction, and the consumer reads `read_committed`:
    /// after a crash, rebalance or broker failure every derived event and dead letter is visible
    /// exactly once. Side effects outside Kafka (a Telegram message, a database row) stay the
    /// plugin's idempotency, as with at-least-once.
    case exactlyOnce = "exactly-once"
}
