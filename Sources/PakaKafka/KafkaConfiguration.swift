/// Where the Kafka cluster is and how to talk to it; shared by producers, consumers and admin clients.
///
/// Why a plain struct: the host builds it once (usually from the environment with
/// ``fromEnvironment(_:)``) and hands copies to each client. Validation happens when a client is
/// created, because only librdkafka knows which properties and values it accepts; an invalid one
/// then fails with a ``KafkaError`` that names the property but never its value.
public struct KafkaConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Comma-separated `host:port` bootstrap list (`bootstrap.servers`).
    public var brokers: String
    /// Client id reported to the brokers (`client.id`); shows up in broker logs and quotas.
    public var clientId: String
    /// Extra librdkafka properties (e.g. `security.protocol`, `sasl.mechanisms`, `sasl.password`,
    /// `ssl.ca.location`, `message.timeout.ms`). Values may be secrets: they are never logged and
    /// never appear in ``description`` or in error messages.
    public var properties: [String: String]

    /// Prefix of environment variables that carry extra librdkafka properties.
    public static let propertyEnvironmentPrefix = "KAFKA_PROPERTY_"

    public init(brokers: String = "localhost:9092", clientId: String = "paka-api",
                properties: [String: String] = [:]) {
        self.brokers = brokers
        self.clientId = clientId
        self.properties = properties
    }

    /// Reads `KAFKA_BROKERS`, `KAFKA_CLIENT_ID` and every `KAFKA_PROPERTY_<NAME>`.
    ///
    /// `NAME` becomes the librdkafka property by lowercasing it and turning `_` into `.`, so
    /// `KAFKA_PROPERTY_SASL_MECHANISMS=PLAIN` sets `sasl.mechanisms`. Environment variables cannot
    /// contain dots, hence the mapping; librdkafka has no property with an underscore in its name.
    /// Missing or empty `KAFKA_BROKERS`/`KAFKA_CLIENT_ID` keep the defaults.
    public static func fromEnvironment(_ env: [String: String]) -> KafkaConfiguration {
        var configuration = KafkaConfiguration()
        if let brokers = env["KAFKA_BROKERS"], !brokers.isEmpty { configuration.brokers = brokers }
        if let clientId = env["KAFKA_CLIENT_ID"], !clientId.isEmpty {
            configuration.clientId = clientId
        }
        for (key, value) in env where key.hasPrefix(propertyEnvironmentPrefix) {
            let name = propertyName(forEnvironmentKey: key)
            if !name.isEmpty { configuration.properties[name] = value }
        }
        return configuration
    }

    /// The librdkafka property name for a `KAFKA_PROPERTY_*` variable (`KAFKA_PROPERTY_SSL_CA_LOCATION`
    /// → `ssl.ca.location`); exposed so the host can explain the mapping in its own diagnostics.
    public static func propertyName(forEnvironmentKey key: String) -> String {
        let lowered = key.dropFirst(propertyEnvironmentPrefix.count).lowercased()
        return String(lowered.map { $0 == "_" ? "." : $0 })
    }

    /// Safe to log: property values are replaced by `<redacted>`.
    public var description: String {
        let names = properties.keys.sorted().map { "\($0)=<redacted>" }.joined(separator: ", ")
        return "KafkaConfiguration(brokers: \(brokers), clientId: \(clientId), properties: [\(names)])"
    }
}
