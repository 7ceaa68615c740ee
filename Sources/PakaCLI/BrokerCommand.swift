import ArgumentParser
import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run only the embedded Kafka cluster (librdkafka's mock: real Kafka protocol on loopback) and print its bootstrap list.")

    @Option(name: .long, help: "Number of brokers.")
    var brokers = 3

    @Option(name: .long, help: "Partitions per topic.")
    var partitions: Int32 = 3

    @Option(name: .long, parsing: .upToNextOption, help: "Extra topics to create (the seed's eight and their .dlq topics always are).")
    var topic: [String] = []

    @Flag(name: .long, help: "Take outage and placement commands on standard input, one per line (\(BrokerControl.usage)), answering `ok` or `error: …` on standard output; stop when standard input closes.")
    var control = false

    func run() async throws {
        let logger = Logging.bootstrapPaka(toStandardError: true)
        let cluster = try EmbeddedKafkaCluster(brokerCount: brokers, logger: logger)
        for name in Topics.all + Topics.all.map(Topics.deadLetter(of:)) + topic {
            try cluster.createTopic(name, partitions: partitions)
        }
        // Outage drills (scripts/chaos): the brokers refuse connections but keep their data and
        // the groups' offsets, as a real cluster's outage would; killing this process loses both.
        let outages = [(SIGUSR1, "down"), (SIGUSR2, "up")].map { signo, state in
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo)
            source.setEventHandler {
                if state == "down" { cluster.setAllBrokersDown() } else { cluster.setAllBrokersUp() }
                logger.info("every broker is \(state)")
            }
            source.resume()
            return source
        }
        // Every signal is handled before the list is printed: whoever reads it may signal at once.
        // (Under --control, SIGINT/SIGTERM keep their default: the process ends at once.)
        let termination = control ? nil : TerminationSignal()
        FileHandle.standardOutput.write(Data("\(cluster.bootstrapServers)\n".utf8))
        logger.info("embedded Kafka running; try: kcat -b \(cluster.bootstrapServers) -L   (Ctrl-C stops it; SIGUSR1 takes every broker down, SIGUSR2 brings them back)")
        if control {
            await serveControlCommands(BrokerControl(cluster: cluster))
        } else {
            await termination?.wait()
        }
        outages.forEach { $0.cancel() }
        cluster.shutdown()
    }
}

/// Answers control lines until standard input closes (the driving process exited or is done),
/// so a broker driven by a test never outlives it.
private func serveControlCommands(_ control: BrokerControl) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        // Reading standard input blocks: a thread of its own, not the cooperative pool.
        let reader = Thread {
            while let line = readLine() {
                FileHandle.standardOutput.write(Data((control.answer(line) + "\n").utf8))
            }
            continuation.resume()
        }
        reader.start()
    }
}

/// SIGINT and SIGTERM, handled from creation on; ``wait()`` returns once one arrived (before
/// or after the call).
private final class TerminationSignal: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var arrived = false
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo)
            source.setEventHandler { [weak self] in self?.fire() }
            source.resume()
            sources.append(source)
        }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = lock.withLock { () -> Bool in
                if arrived { return true }
                self.continuation = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func fire() {
        let pending = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            arrived = true
            defer { continuation = nil }
            return continuation
        }
        pending?.resume()
    }
}
