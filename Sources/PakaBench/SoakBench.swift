import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost

/// `paka-bench --soak SECONDS --sleeper-plugin PATH --paka PATH`: a processor far slower than
/// its input (20 ms per event, one lane: 50 events/s) fed ~2 000 events/s for SECONDS, with the
/// cluster in a `paka broker` child so this process's RSS is the host side alone (consumer,
/// prefetch, partition windows) plus the producer feeding it. RSS is sampled every 5 s: once the
/// windows (`maxInFlight`) and the prefetch cap (`prefetchKBytes`) are full it must stay flat.
enum SoakBench {
    static func run(arguments: [String], logger: Logger) async throws {
        guard let seconds = arguments.firstIndex(of: "--soak").flatMap({ Int(arguments[$0 + 1]) }),
              let plugin = arguments.firstIndex(of: "--sleeper-plugin").map({ arguments[$0 + 1] }),
              let paka = arguments.firstIndex(of: "--paka").map({ arguments[$0 + 1] }) else {
            print("paka-bench --soak SECONDS needs --sleeper-plugin PATH and --paka PATH (the paka executable, for its broker)")
            return
        }
        let topic = "bench.soak"
        let broker = Process()
        broker.executableURL = URL(fileURLWithPath: paka)
        broker.arguments = ["broker", "--partitions", "4", "--topic", topic, "bench.soak.dlq"]
        let output = Pipe()
        broker.standardOutput = output
        broker.standardError = FileHandle.nullDevice
        try broker.run()
        defer { broker.terminate(); broker.waitUntilExit() }
        let bootstrap = String(decoding: readLine(output.fileHandleForReading.fileDescriptor), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let host = try BenchHost(bootstrap: bootstrap, scratch: "paka-bench-soak", logger: logger)
        let entry = PluginEntry(name: "sleeper", library: plugin, groupId: "bench-soak", topics: [topic], config: .object(["delayMs": .number(20)]))
        let (loaded, consuming) = try host.start(entry, logger: logger)
        let payload = Array(String(repeating: "x", count: 200).utf8)
        let start = Date()
        var produced = 0
        var samples: [(Int, Int)] = []
        while Date().timeIntervalSince(start) < Double(seconds) {
            for _ in 0..<100 {
                let event = CloudEvent(source: "paka/bench", type: topic, subject: "key-\(produced % 500)", data: Array(#"{"pad":"\#(String(decoding: payload, as: UTF8.self))"}"#.utf8))
                try host.producer.send(topic: topic, key: Array(event.subject.utf8), value: event.jsonBytes) { _ in }
                produced += 1
            }
            try await Task.sleep(for: .milliseconds(50))
            let elapsed = Int(Date().timeIntervalSince(start))
            if elapsed % 5 == 0, samples.last?.0 != elapsed { samples.append((elapsed, residentKB())) }
        }
        let handled = loaded.counters.snapshot.handled
        consuming.cancel()
        _ = await consuming.result
        await host.shutdown()
        print("| soak: \(seconds) s, \(produced) events produced, \(handled) handled (lag \(produced - handled)) | RSS (MB) at "
              + samples.map { "\($0.0) s: \(String(format: "%.1f", Double($0.1) / 1024))" }.joined(separator: ", ") + " |")
    }

    static func residentKB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""  // Linux only; 0 when unreadable
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// The broker's first line (its bootstrap list), read with read(2) retrying EINTR.
    static func readLine(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n == 1 { if byte == 0x0A { return bytes }; bytes.append(byte) } else if n == 0 || errno != EINTR { return bytes }
        }
    }
}
