import Foundation
import PakaKafka

/// The line protocol of `paka broker --control`: one command per line on standard input, one
/// answer per line on standard output (`ok` or `error: <why>`).
///
/// Why a separate process at all: librdkafka 2.0.2's mock re-binds a downed broker's port at
/// once and aborts its whole process when that fails — and it fails whenever another thread of
/// the same process is spawning a child at that moment (the child holds a copy of the listening
/// socket until its exec). A test process spawns children all the time (workers, compilers,
/// kcat), so tests that take brokers down drive a `paka broker` child this way instead, which
/// never spawns anything.
struct BrokerControl {
    let cluster: EmbeddedKafkaCluster

    static let usage = "commands: down ID|all, up ID|all, leader TOPIC PARTITION ID, coordinator GROUP ID, topic NAME PARTITIONS"

    /// Applies one command line and returns the answer line.
    func answer(_ line: String) -> String {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let verb = words.first else { return "error: empty command; \(Self.usage)" }
        switch (verb, words.count) {
        case ("down", 2), ("up", 2):
            let down = verb == "down"
            let ids: [Int32]
            if words[1] == "all" {
                ids = Array(1...Int32(cluster.brokerCount))
            } else {
                guard let id = broker(words[1]) else { return "error: no broker '\(words[1])' (ids are 1...\(cluster.brokerCount) or all)" }
                ids = [id]
            }
            return outcome(ids.compactMap { down ? cluster.setBrokerDown($0) : cluster.setBrokerUp($0) }.first)
        case ("leader", 4):
            guard let partition = Int32(words[2]), partition >= 0 else { return "error: partition '\(words[2])' is not a number ≥ 0" }
            guard let id = broker(words[3]) else { return "error: no broker '\(words[3])' (ids are 1...\(cluster.brokerCount))" }
            return outcome(cluster.setPartitionLeader(topic: words[1], partition: partition, broker: id))
        case ("coordinator", 3):
            guard let id = broker(words[2]) else { return "error: no broker '\(words[2])' (ids are 1...\(cluster.brokerCount))" }
            return outcome(cluster.setGroupCoordinator(group: words[1], broker: id))
        case ("topic", 3):
            guard let partitions = Int32(words[2]), partitions > 0 else { return "error: partitions '\(words[2])' is not a number > 0" }
            do {
                try cluster.createTopic(words[1], partitions: partitions)
                return "ok"
            } catch {
                return "error: \(error)"
            }
        default:
            return "error: cannot read '\(line)'; \(Self.usage)"
        }
    }

    private func outcome(_ error: KafkaError?) -> String {
        error.map { "error: \($0)" } ?? "ok"
    }

    private func broker(_ word: String) -> Int32? {
        guard let id = Int32(word), (1...Int32(cluster.brokerCount)).contains(id) else { return nil }
        return id
    }
}
