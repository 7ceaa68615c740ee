/// What `GET /kafka/status` reports (the seed's shape).
public struct KafkaStatus: Sendable, Equatable {
    public var connected: Bool
    /// The broker list in use (the embedded cluster's bootstrap list when `KAFKA_BROKERS=embedded`).
    public var brokers: String
    public var clientId: String
    /// Consumer groups currently consuming; empty when not connected.
    public var consumers: [String]

    public init(connected: Bool, brokers: String, clientId: String, consumers: [String]) {
        self.connected = connected
        self.brokers = brokers
        self.clientId = clientId
        self.consumers = consumers
    }
}
