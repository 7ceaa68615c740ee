import Foundation

/// A Kafka cluster (librdkafka's mock) in a `paka broker --control` child, for tests that take
/// brokers down.
///
/// Why not the in-process ``EmbeddedKafkaCluster``: librdkafka 2.0.2's mock re-binds a downed
/// broker's port at once and aborts the whole process when that fails, and it fails whenever
/// another thread is spawning a child at that moment (the child holds a copy of the listening
/// socket until its exec) — which the test process does all the time. The child process never
/// spawns anything, and it exits when this object closes its standard input (or this process dies).
public final class BrokerProcess: @unchecked Sendable {
    // @unchecked: commands are serialized by `lock`; the rest is immutable after init.
    public let bootstrapServers: String
    public let brokerCount: Int
    private let process = Process()
    private let commands: FileHandle
    private let answers: LineReader
    private let lock = NSLock()

    public init(brokers: Int = 3, topics: [(name: String, partitions: Int32)] = []) throws {
        brokerCount = brokers
        // A broker that died leaves a broken pipe: writing to it must be an error for this test,
        // not a SIGPIPE that ends the whole test process.
        signal(SIGPIPE, SIG_IGN)
        let input = Pipe(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: Self.pakaExecutable)
        process.arguments = ["broker", "--control", "--brokers", "\(brokers)"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        commands = input.fileHandleForWriting
        answers = LineReader(output.fileHandleForReading.fileDescriptor)
        guard let first = answers.next(), first.contains(":") else {
            process.terminate()
            throw BrokerProcessError("`\(Self.pakaExecutable) broker --control` printed no bootstrap list; run it by hand to see why (is `paka` built?)")
        }
        bootstrapServers = first
        for topic in topics { try createTopic(topic.name, partitions: topic.partitions) }
    }

    deinit { shutdown() }

    public func createTopic(_ name: String, partitions: Int32) throws { try send("topic \(name) \(partitions)") }
    public func setBrokerDown(_ id: Int32) throws { try send("down \(id)") }
    public func setBrokerUp(_ id: Int32) throws { try send("up \(id)") }
    public func setAllBrokersDown() throws { try send("down all") }
    public func setAllBrokersUp() throws { try send("up all") }
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) throws {
        try send("leader \(topic) \(partition) \(id)")
    }
    public func setGroupCoordinator(group: String, broker id: Int32) throws { try send("coordinator \(group) \(id)") }

    /// Stops the cluster: its standard input closes and it exits. Idempotent.
    public func shutdown() {
        lock.withLock {
            guard process.isRunning else { return }
            try? commands.close()
            process.waitUntilExit()
        }
    }

    private func send(_ command: String) throws {
        let answer = lock.withLock { () -> String? in
            guard process.isRunning, (try? commands.write(contentsOf: Data((command + "\n").utf8))) != nil else { return nil }
            return answers.next()
        }
        guard answer == "ok" else {
            throw BrokerProcessError("broker command '\(command)' answered \(answer.map { "'\($0)'" } ?? "nothing (the broker exited)")")
        }
    }

    static var pakaExecutable: String {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }  // BrokerProcess.swift → PakaTestSupport → Tests → root
        let build = ProcessInfo.processInfo.environment["PAKA_BUILD_DIR"] ?? "\(root.path)/.build/debug"
        return "\(build)/paka"
    }
}

public struct BrokerProcessError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Reads `\n`-terminated lines from a pipe, blocking (answers come within milliseconds).
private final class LineReader {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(_ fd: Int32) { self.fd = fd }

    func next() -> String? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}
