import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost

/// `paka-bench --notification-plugin PATH` (with DATABASE_URL): the notification processor
/// against a Telegram Bot API stand-in that answers every sendMessage in 100 ms (a Python
/// threading HTTP server), at one instance and at the shipped plugins.json's concurrency.
enum NotificationBench {
    static let answerMs = 100

    static func run(plugin: String, databaseURL: String, concurrencies: [Int], logger: Logger) async throws -> String {
        let standIn = try TelegramStandIn(delayMs: answerMs)
        defer { standIn.stop() }
        let cluster = try EmbeddedKafkaCluster(brokerCount: 3, logger: logger)
        defer { cluster.shutdown() }
        let host = try BenchHost(bootstrap: cluster.bootstrapServers, scratch: "paka-bench-notification", logger: logger)
        let run = UUID().uuidString.prefix(8)
        var rows: [String] = []
        var single: Double?
        for concurrency in concurrencies {
            let topic = "bench.notify.c\(concurrency)"
            try cluster.createTopic(topic, partitions: 4)
            let events = max(100, concurrency * 25)
            for i in 0..<events {
                let data = #"{"title":"bench","body":"notification \#(i)","channel":"telegram"}"#
                let event = CloudEvent(id: "bench-\(run)-\(concurrency)-\(i)", source: "paka/bench", type: "notification.send", subject: "user-\(i % 97)",
                                       data: Array(data.utf8))
                try host.producer.send(topic: topic, key: Array(event.subject.utf8), value: event.jsonBytes) { _ in }
            }
            while await host.producer.flush(timeout: .milliseconds(100)) > 0 {}
            let entry = PluginEntry(name: "notification", library: plugin, groupId: "bench-\(topic)", topics: [topic], concurrency: concurrency,
                                    config: .object(["databaseURL": .string(databaseURL), "telegramBotToken": .string("bench"),
                                                     "telegramChatId": .string("1"), "telegramAPIBase": .string(standIn.baseURL)]))
            let (loaded, consuming) = try host.start(entry, logger: logger)
            while loaded.counters.snapshot.handled == 0 { try await Task.sleep(for: .milliseconds(1)) }
            let start = Date()
            while loaded.counters.snapshot.handled < events { try await Task.sleep(for: .milliseconds(1)) }
            let rate = Double(events - 1) / Date().timeIntervalSince(start)
            consuming.cancel()
            _ = await consuming.result
            if concurrency == 1 { single = rate }
            let versus = single.map { String(format: "%.1f×", rate / $0) } ?? "—"
            rows.append("| notification → Telegram stand-in (\(answerMs) ms per sendMessage), concurrency \(concurrency), \(events) events | \(Int(rate * 10) / 10) notifications/s | \(versus) |")
        }
        await host.shutdown()
        return """
            | notification processor (\(standIn.requests()) requests reached the stand-in) | Paka host | vs one instance |
            |---|---|---|
            \(rows.joined(separator: "\n"))
            """
    }
}

/// The Telegram Bot API played by a Python threading HTTP server: every POST is answered 200
/// with a fresh message_id after `delayMs`, as a real API call would take.
final class TelegramStandIn {
    private let process = Process()
    private let folder = NSTemporaryDirectory() + "paka-telegram-\(getpid())"
    let baseURL: String

    init(delayMs: Int) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let script = """
            import http.server, itertools, json, os, sys, threading, time
            counter = itertools.count(1)
            lock = threading.Lock()
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    time.sleep(\(Double(delayMs) / 1000))
                    with lock: n = next(counter)
                    body = json.dumps({"ok": True, "result": {"message_id": n}}).encode()
                    self.send_response(200); self.send_header('Content-Type', 'application/json')
                    self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
                    open(sys.argv[1] + '/count', 'w').write(str(n))
                def log_message(self, *args): pass
            server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
            server.daemon_threads = True
            open(sys.argv[1] + '/port.tmp', 'w').write(str(server.server_address[1])); os.rename(sys.argv[1] + '/port.tmp', sys.argv[1] + '/port')
            server.serve_forever()
            """
        let path = folder + "/telegram.py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path, folder]
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        var port: String?
        while port == nil && Date() < deadline {
            port = try? String(contentsOfFile: folder + "/port", encoding: .utf8)
            if port == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let port else { throw BenchFailure("the Telegram stand-in did not start") }
        baseURL = "http://127.0.0.1:\(port)"
    }

    /// sendMessage calls answered so far.
    func requests() -> Int { (try? String(contentsOfFile: folder + "/count", encoding: .utf8)).flatMap { Int($0) } ?? 0 }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)  // a scratch folder: what is left is harmless
    }
}
