import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost

/// `paka-bench --isolation`: what process isolation costs. The same no-op C plugin in process
/// and in a `paka worker` (batches of 500 events handed straight to the loaded plugin, so the
/// channel is what differs), the time from a worker crash to the next event handled, and a
/// healthy isolated plugin's rate while another one crashes every second.
enum IsolationBench {
    static func run(arguments: [String], logger: Logger) async throws {
        func value(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
        guard let noop = value("--noop-plugin"), let crashing = value("--crash-plugin") else {
            throw BenchError(description: "--isolation needs --noop-plugin FILE and --crash-plugin FILE (Tests/Fixtures/crashing.c built)")
        }
        let events = value("--events").flatMap(Int.init) ?? 50_000
        if ProcessInfo.processInfo.environment["PAKA_WORKER_EXECUTABLE"] == nil {
            let bin = ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]) as NSString
            setenv("PAKA_WORKER_EXECUTABLE", bin.deletingLastPathComponent + "/paka", 1)
        }
        let folder = NSTemporaryDirectory() + "paka-bench-isolation-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let services = QuietServices(folder: folder)
        func load(_ name: String, _ library: String, _ isolation: PluginIsolation, _ maxAttempts: Int) throws -> (PluginRegistry, LoadedPlugin) {
            let registry = PluginRegistry(services: services, options: .init(allowInsecurePermissions: true), logger: logger)
            var entry = PluginEntry(name: name, library: library, topics: ["bench.raw"], batchSize: 500)
            entry.isolation = isolation
            entry.crash.maxAttempts = maxAttempts
            let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [entry]))
            guard refusals.isEmpty, let plugin = registry.active(named: name) else { throw BenchError(description: "\(refusals)") }
            return (registry, plugin)
        }
        let sample = CloudEvent(source: "paka/bench", type: "bench.raw", subject: "key-000000",
                                data: Array(#"{"action":"document.viewed","resource":"document","resourceId":123456,"details":{"note":"benchmark"}}"#.utf8))
        let batch = (0..<500).map { i in
            PluginEvent(id: UUID().uuidString, topic: "bench.raw", key: Array("key-\(i)".utf8), payload: sample.jsonBytes, partition: 0, offset: Int64(i))
        }
        func rate(_ plugin: LoadedPlugin) -> Double {
            _ = plugin.handle(batch)  // warm up
            let start = Date()
            for _ in 0..<(events / batch.count) { _ = plugin.handle(batch) }
            return Double(events / batch.count * batch.count) / Date().timeIntervalSince(start)
        }
        /// Over a fixed time rather than a fixed count: a run of `events` lasts tens of
        /// milliseconds, so whether a once-a-second crash fell inside it was chance.
        func rate(_ plugin: LoadedPlugin, seconds: Double) -> Double {
            _ = plugin.handle(batch)
            var handled = 0
            let start = Date()
            while Date().timeIntervalSince(start) < seconds {
                for _ in 0..<20 { _ = plugin.handle(batch) }
                handled += 20 * batch.count
            }
            return Double(handled) / Date().timeIntervalSince(start)
        }
        let (inRegistry, inProcess) = try load("noop", noop, .inprocess, 2)
        let inRate = rate(inProcess)
        // CPU time per event (this process and its workers): unlike rates, it barely moves
        // when other work shares the machine.
        func cpuPerEvent(_ plugin: LoadedPlugin) -> Double {
            let before = cpuSeconds()
            _ = rate(plugin)
            return (cpuSeconds() - before) / Double(events / batch.count * batch.count) * 1e6
        }
        let throughputOnly = arguments.contains("--throughput-only")
        let inCPU = throughputOnly ? cpuPerEvent(inProcess) : 0
        inRegistry.shutdown()
        let (outRegistry, isolated) = try load("noop", noop, .process, 2)
        let outRate = rate(isolated)
        if throughputOnly {  // the ratio rows alone, for repeated runs
            let outCPU = cpuPerEvent(isolated)
            outRegistry.shutdown()
            let (kafkaIn, kafkaOut, kafkaInCPU, kafkaOutCPU) = try await throughKafka(noop: noop, events: events, sample: sample, services: services, logger: logger)
            print("""
                | isolation throughput (\(events) events, batches of \(batch.count), no-op C plugin) | in process | process isolation | ratio |
                |---|---|---|---|
                | through Kafka (consume → plugin → offset store), events/s | \(Int(kafkaIn)) | \(Int(kafkaOut)) | \(String(format: "%.2f", kafkaOut / kafkaIn)) |
                | through Kafka, CPU µs per event (host with its embedded brokers + worker) | \(String(format: "%.3f", kafkaInCPU)) | \(String(format: "%.3f", kafkaOutCPU)) | \(String(format: "%.2f", kafkaInCPU / kafkaOutCPU)) |
                | handle only (no Kafka), events/s | \(Int(inRate)) | \(Int(outRate)) | \(String(format: "%.2f", outRate / inRate)) |
                | handle only, CPU µs per event (host + worker) | \(String(format: "%.3f", inCPU)) | \(String(format: "%.3f", outCPU)) | \(String(format: "%.2f", inCPU / outCPU)) |
                """)
            return
        }

        // A crash, then the next event: the worker is started again on that call.
        let (crashRegistry, crashy) = try load("crashing", crashing, .process, 1)
        let poison = PluginEvent(id: "poison", topic: "bench.raw", key: [], payload: Array(#"{"data":"segv"}"#.utf8))
        let good = PluginEvent(id: "good", topic: "bench.raw", key: [], payload: Array(#"{"data":{}}"#.utf8))
        var recoveries: [Double] = []
        for _ in 0..<20 {
            _ = crashy.handle([poison])
            let start = Date()
            _ = crashy.handle([good])
            recoveries.append(Date().timeIntervalSince(start) * 1000)
        }
        recoveries.sort()

        // The healthy isolated plugin while the crashing one dies once a second, over 5 s (five
        // crashes), against the same plugin alone over 5 s.
        let aloneRate = rate(isolated, seconds: 5)
        let stop = StopFlag(false)
        let crasher = Thread {
            while !stop.load() {
                _ = crashy.handle([poison])
                _ = crashy.handle([good])
                Thread.sleep(forTimeInterval: 1)
            }
        }
        crasher.start()
        let underFireRate = rate(isolated, seconds: 5)
        stop.store(true)
        try await Task.sleep(for: .milliseconds(1200))  // the crasher thread sees the flag
        crashRegistry.shutdown()
        outRegistry.shutdown()

        let (inGrowth, outGrowth) = try swapGrowth(noop: noop, folder: folder, load: load)
        let (kafkaIn, kafkaOut, _, _) = try await throughKafka(noop: noop, events: events, sample: sample, services: services, logger: logger)

        print("""
            | isolation (\(events) events, \(sample.jsonBytes.count) B, batches of \(batch.count), no-op C plugin, straight to the plugin) | value |
            |---|---|
            | through Kafka (consume → plugin → offset store), in process / process isolation (events/s) | \(Int(kafkaIn)) / \(Int(kafkaOut)) (ratio \(String(format: "%.2f", kafkaOut / kafkaIn))) |
            | in process (events/s) | \(Int(inRate)) |
            | process isolation (events/s) | \(Int(outRate)) |
            | ratio process / in process | \(String(format: "%.2f", outRate / inRate)) |
            | crash → next event handled (worker restart + call), median of 20 / max | \(String(format: "%.1f", recoveries[recoveries.count / 2])) ms / \(String(format: "%.1f", recoveries.last ?? 0)) ms |
            | healthy isolated plugin while another crashes every second, 5 s each (events/s; ratio to alone) | \(Int(underFireRate)) (\(String(format: "%.2f", underFireRate / aloneRate))) |
            | host RSS growth per swap to a new file, in process / process isolation (KiB) | \(inGrowth) / \(outGrowth) |
            """)
    }

    static let swaps = 20

    /// The no-op plugin behind the host's real consumer path (supervisor, loop, offset store)
    /// on an embedded cluster, in process and then isolated, each in a group of its own.
    /// Also the CPU µs per event of the whole process (consumer, embedded brokers) and its workers.
    static func throughKafka(noop: String, events: Int, sample: CloudEvent, services: any PluginHostServices, logger: Logger) async throws
        -> (Double, Double, inCPU: Double, outCPU: Double) {
        let cluster = try EmbeddedKafkaCluster(brokerCount: 3, logger: logger)
        defer { cluster.shutdown() }
        let partitions = Int32(max(6, events / 8_000))
        for topic in ["bench.raw", "bench.raw.dlq"] { try cluster.createTopic(topic, partitions: partitions) }
        _ = RawKafka.produce(bootstrap: cluster.bootstrapServers, topic: "bench.raw", payload: sample.jsonBytes, count: events)
        let configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "paka-bench")
        let bus = try KafkaBus(configuration: configuration, logger: logger)
        defer { bus.shutdown(timeout: .seconds(2)) }
        var rates: [Double] = [], cpu: [Double] = []
        for isolation in [PluginIsolation.inprocess, .process] {
            let registry = PluginRegistry(services: services, options: .init(allowInsecurePermissions: true), logger: logger)
            var entry = PluginEntry(name: "noop", library: noop, groupId: "bench-\(isolation.rawValue)", topics: ["bench.raw"], batchSize: 500)
            entry.isolation = isolation
            registry.apply(PakaConfiguration(pluginDir: "/", plugins: [entry]))
            let cpuBefore = cpuSeconds()
            let seconds = await PakaBench.consumeThroughHost(registry: registry, bus: bus, configuration: configuration, events: events, logger: logger)
            rates.append(Double(events) / seconds)
            cpu.append((cpuSeconds() - cpuBefore) / Double(events) * 1e6)
            registry.shutdown()
        }
        return (rates[0], rates[1], cpu[0], cpu[1])
    }

    /// Host memory kept per swap: in process every new file's image stays mapped (images are
    /// never unloaded); in process isolation the old worker exits and takes its image along.
    static func swapGrowth(noop: String, folder: String,
                           load: (String, String, PluginIsolation, Int) throws -> (PluginRegistry, LoadedPlugin)) throws -> (Int, Int) {
        guard let bytes = FileManager.default.contents(atPath: noop) else { throw BenchError(description: "cannot read \(noop)") }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Distinct files (a trailing byte changes the sha256), so each swap loads a new version.
        let files = try (0...swaps).map { i -> String in
            let path = "\(folder)/noop-\(i).so"
            try (bytes + Data([UInt8(i)])).write(to: URL(fileURLWithPath: path))
            return path
        }
        func growth(_ isolation: PluginIsolation) throws -> Int {
            let (registry, _) = try load("noop", files[0], isolation, 2)
            let before = residentKiB()
            for file in files.dropFirst() {
                var entry = PluginEntry(name: "noop", library: file, topics: ["bench.raw"], batchSize: 500)
                entry.isolation = isolation
                _ = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [entry]))
            }
            let after = residentKiB()
            registry.shutdown()
            return (after - before) / swaps
        }
        return (try growth(.inprocess), try growth(.process))
    }

    /// User + system CPU seconds of this process and of its live children (the workers).
    static func cpuSeconds() -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        let children = tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8)) ?? "").split(separator: " ").map(String.init)
        }
        return (["self"] + children).reduce(0) { total, pid in
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            let ticks = fields.count > 12 ? (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0) : 0
            return total + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
    }

    static func residentKiB() -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }

    struct BenchError: Error, CustomStringConvertible { let description: String }
}

/// A flag for the crasher thread.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Bool
    init(_ value: Bool) { self.value = value }
    func load() -> Bool { lock.withLock { value } }
    func store(_ new: Bool) { lock.withLock { value = new } }
}

/// Accepts every publish and drops the plugins' logs: the channel is what is measured.
private final class QuietServices: PluginHostServices {
    let folder: String
    init(folder: String) { self.folder = folder }
    func publish(from plugin: String, topic: String, key: String, data: [UInt8]) -> Bool { true }
    func log(from plugin: String, level: Logger.Level, message: String) {}
    func dataDirectory(for plugin: String) -> String { "\(folder)/plugins/\(plugin)" }
}
