import PakaPipeline
import PakaPluginHost

/// `GET /kafka/status`, field for field as the seed shows it in both states.
struct KafkaStatusBody: Encodable, Equatable {
    struct Kafka: Encodable, Equatable {
        var connected: Bool
        var brokers: String
        var clientId: String
    }

    var ok = true
    var kafka: Kafka
    var topics: [String]
    var consumers: [String]
    var message: String

    /// The seed promises `consumers: []` whenever Kafka is not connected, whatever the pipeline
    /// last reported.
    init(_ status: KafkaStatus) {
        kafka = Kafka(connected: status.connected, brokers: status.brokers, clientId: status.clientId)
        topics = Topics.all
        consumers = status.connected ? status.consumers : []
        message = status.connected ? "Kafka is connected and processing events" : "Kafka not connected - async processing disabled"
    }
}
