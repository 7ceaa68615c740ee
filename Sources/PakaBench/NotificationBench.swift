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
        // The processor publishes notification.sent per delivery.
        for topic in Topics.all + Topics.all.map(Topics.deadLetter(of:)) { try cluster.createTopic(topic, partitions: 4) }
        let host = try BenchHost(bootstrap: cluster.bootstrapServers, scratch: "paka-bench-notification", logger: logger)
        var rows: [String] = []
        var single: Double?
        for concurrency in concurrencies {
            let topic = "bench.notify.c\(concurrency)"
            try cluster.createTopic(topic, partitions: 4)
            let events = max(100, concurrency * 25)
            for i in 0..<events {
                let data = #"{"title":"bench","body":"notification \#(i)","channel":"telegram"}"#
                // The processor keys its deliveries by event id, a PostgreSQL uuid: any other id is FAILed.
                let event = CloudEvent(id: UUID().uuidString.lowercased(), source: "paka/bench", type: "notification.send", subject: "user-\(i % 97)",
                                       data: Array(data.utf8))
                try host.producer.send(topic: topic, key: Array(event.subject.utf8), value: event.jsonBytes) { _ in }
            }
            while await host.producer.flush(timeout: .milliseconds(100)) > 0 {}
            let entry = PluginEntry(name: "notification", library: plugin, groupId: "bench-\(topic)", topics: [topic], concurrency: concurrency,
                                    config: .object(["databaseURL": .string(databaseURL), "telegramBotToken": .string("bench"),
                                                     "telegramChatId": .string("1"), "telegramAPIBase": .string(standIn.baseURL)]))
            let (loaded, consuming) = try host.start(entry, logger: logger)
            // Timed by the stand-in's requests, one per notification: the plugin's counters move
            // per batch, and one instance gets all 97 keys in its first batch.
            let before = standIn.requests()
            try await wait(for: loaded) { standIn.requests() > before }
            let start = Date()
            try await wait(for: loaded) { standIn.requests() >= before + events }
            let rate = Double(events - 1) / Date().timeIntervalSince(start)
            try await wait(for: loaded) { loaded.counters.snapshot.handled >= events }
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

extension NotificationBench {
    /// Waits until `condition` holds; a FAIL or a RETRY stops the bench with the plugin's reason
    /// (a stand-in that is not reached, a database that is not there) instead of waiting forever.
    static func wait(for plugin: LoadedPlugin, until condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(300)
        while !condition() {
            let counts = plugin.counters.snapshot
            if counts.failed > 0 || counts.retried > 0 || Date() > deadline {
                throw BenchFailure("the notification processor handled \(counts.handled) events, failed \(counts.failed), retried \(counts.retried): "
                    + (counts.lastError ?? "no answer in 300 s"))
            }
            try await Task.sleep(for: .milliseconds(1))
        }
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
        // SIGKILL, not terminate(): the child inherits the bench's blocked SIGTERM (the host's
        // signal handling blocks it for its dispatch sources), so a SIGTERM was never delivered.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)  // a scratch folder: what is left is harmless
    }
}
