import Foundation
import Logging
import PakaKafka

/// The transactional producer of one exactly-once consumer (Kafka's exactly-once v2: one
/// producer per consumer, its `transactional.id` stable across restarts of the host).
///
/// Why a stable id (`paka-<PAKA_INSTANCE_ID>-<plugin>`): a host that restarts after kill -9
/// registers the same id, and `init_transactions` fences the dead one's producer and aborts the
/// transaction it left open, so nothing half-written ever becomes visible. Two live hosts must
/// not share an instance id: they would fence each other in turn (the log says so).
///
/// Used by its consumer loop's thread only (hence `@unchecked Sendable`); every call blocks.
final class TransactionalOutput: @unchecked Sendable {
    let transactionalId: String
    private let configuration: KafkaConfiguration
    private let logger: Logger
    /// Ready for `beginTransaction` (transactions initialised); nil until the first use and
    /// after a fatal error.
    private var producer: KafkaProducer?
    /// Whether the brokers apply offsets sent in a transaction. Kafka does (KIP-447);
    /// librdkafka 2.0.2's mock cluster (`KAFKA_BROKERS=embedded`, the tests) answers OK and
    /// drops them. Learnt after the first commit by reading the offsets back.
    private(set) var appliesTransactionalOffsets: Bool?
    static let timeout = Duration.seconds(10)

    init(transactionalId: String, configuration: KafkaConfiguration, logger: Logger) {
        self.transactionalId = transactionalId
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "transactional.id"] = "\(transactionalId)"
        self.logger = logger
    }

    /// The transactional id for a plugin's consumer on this host.
    static func id(instance: String?, plugin: String) -> String {
        "paka-\(instance ?? ProcessInfo.processInfo.hostName)-\(plugin)"
    }

    /// The producer, created and registered with the coordinator on first use (and after a
    /// fatal error: the new one fences the old).
    func ready() throws(KafkaError) -> KafkaProducer {
        if let producer { return producer }
        let made = try KafkaProducer(configuration: configuration, logger: logger, transactionalId: transactionalId)
        do throws(KafkaError) {
            try made.initTransactions(timeout: Self.timeout)
        } catch {
            made.shutdown(timeout: .zero)
            throw error
        }
        producer = made
        logger.info("transactional producer ready")
        return made
    }

    /// Commits the open transaction. A retriable failure leaves the outcome unknown; asking
    /// again is how librdkafka tells it (a commit that went through answers success).
    func commit(_ producer: KafkaProducer) throws(KafkaError) {
        var attempt = 1
        while true {
            do throws(KafkaError) {
                try producer.commitTransaction(timeout: Self.timeout)
                return
            } catch where error.isRetriable && attempt < 3 {
                attempt += 1
                logger.warning("transaction commit not confirmed; asking again", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Drops the producer after a fatal error (fenced: another producer registered this id; or
    /// the outcome of a commit stayed unknown). The next `ready` makes a new one.
    func discard() {
        producer?.shutdown(timeout: .zero)
        producer = nil
    }

    func noteOffsetsApplied(_ applied: Bool) {
        guard appliesTransactionalOffsets == nil else { return }
        appliesTransactionalOffsets = applied
        if !applied {
            logger.warning("""
                these brokers accept offsets sent in a transaction but do not apply them (librdkafka's mock cluster does this); \
                offsets are also committed right after each transaction, so a crash between the two redelivers one transaction's events
                """)
        }
    }

    func shutdown() {
        producer?.shutdown(timeout: .seconds(5))
        producer = nil
    }
}
