import Foundation
import PakaKafka
import PakaTestSupport
import Testing

/// Cross-checks the producer with an independent Kafka client (kcat), when it is installed.
@Suite struct IndependentClientTests {
    static let kcat = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: kcat != nil, "kcat is not installed"))
    func kcatSeesTheMessagesKeysAndHeadersProducedByKafkaProducer() async throws {
        let topic = "crosscheck"
        let cluster = try makeCluster(brokers: 1, topic: topic, partitions: 1)
        defer { cluster.shutdown() }
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers),
            logger: CapturedLogs().logger())
        for index in 0..<3 {
            _ = try await producer.send(topic: topic, key: bytes("k\(index)"), value: bytes("v\(index)"),
                                        headers: [KafkaHeader(name: "h", string: "x\(index)")])
        }
        await producer.shutdown()

        let output = try await run(Self.kcat!, [
            "-b", cluster.bootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
            "-f", "%k=%s;%h\\n",
        ])
        #expect(output.split(separator: "\n") == ["k0=v0;h=x0", "k1=v1;h=x1", "k2=v2;h=x2"])

        let metadata = try await run(Self.kcat!, ["-b", cluster.bootstrapServers, "-L", "-t", topic])
        #expect(metadata.contains("topic \"\(topic)\" with 1 partitions"))
    }

    /// Runs a process with a 20 s watchdog so a stuck kcat cannot hang the test run.
    func run(_ path: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            process.terminate()
        }
        let data = await withCheckedContinuation { (continuation: CheckedContinuation<Data, Never>) in
            Thread {
                let data = Data(PipeReading.readAll(pipe.fileHandleForReading.fileDescriptor))
                process.waitUntilExit()
                continuation.resume(returning: data)
            }.start()
        }
        watchdog.cancel()
        return String(decoding: data, as: UTF8.self)
    }
}
