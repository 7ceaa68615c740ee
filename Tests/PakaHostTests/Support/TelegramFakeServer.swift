import Foundation

/// A local HTTP server playing the Telegram Bot API (and any JSON webhook): it records every
/// request and answers from a script, else 200 with a fresh `message_id` (1001, 1002, …).
/// A Python `http.server` subprocess, so the plugin's blocking libcurl calls meet a real socket.
final class TelegramFakeServer: @unchecked Sendable {
    struct Response: Encodable {
        let status: Int
        let body: String
        var delay: Double = 0

        static func ok(messageId: Int) -> Response { Response(status: 200, body: #"{"ok":true,"result":{"message_id":\#(messageId)}}"#) }
        static func tooManyRequests(retryAfter: Int) -> Response { tooManyRequests(retryAfterJSON: "\(retryAfter)") }
        /// `retryAfterJSON`: the number as the server writes it (e.g. `1e300`).
        static func tooManyRequests(retryAfterJSON: String) -> Response {
            Response(status: 429, body: #"{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":\#(retryAfterJSON)}}"#)
        }
        static let serverError = Response(status: 500, body: #"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#)
        static func badRequest(_ description: String) -> Response {
            Response(status: 400, body: #"{"ok":false,"error_code":400,"description":"\#(description)"}"#)
        }
    }

    struct Request: Decodable {
        let method: String
        let path: String
        let contentType: String
        let body: String  // base64
        let time: Double

        var bytes: [UInt8] { Array(Data(base64Encoded: body) ?? Data()) }
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] }
    }

    private let dir = TemporaryDirectory()
    private let process = Process()
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let script = dir.write("fake_http.py", Self.python)
        process.executableURL = URL(fileURLWithPath: NotificationTestEnvironment.python)
        process.arguments = [script, dir.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        port = try NotificationTestEnvironment.waitForFile(dir.file("port"), what: "the fake Telegram server").flatMap { Int($0) } ?? 0
    }

    deinit {
        // SIGKILL: the child inherits the test runner's blocked-signal mask, so SIGTERM may never arrive.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The next answers, in order (then the default 200s again).
    func script(_ responses: [Response]) throws {
        try JSONEncoder().encode(responses).write(to: URL(fileURLWithPath: dir.file("script.json")))
    }

    var requests: [Request] {
        guard let text = try? String(contentsOfFile: dir.file("requests.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    private static let python = #"""
    import base64, http.server, json, os, sys, threading, time
    folder = sys.argv[1]
    lock, counter = threading.Lock(), [1000]

    def exit_with_parent(parent=os.getppid()):
        # The test runner may die without killing us: do not outlive it.
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                record = {"method": "POST", "path": self.path, "contentType": self.headers.get("Content-Type", ""),
                          "body": base64.b64encode(body).decode(), "time": time.time()}
                with open(os.path.join(folder, "requests.jsonl"), "a") as f:
                    f.write(json.dumps(record) + "\n")
                script_path, script = os.path.join(folder, "script.json"), []
                if os.path.exists(script_path):
                    with open(script_path) as f:
                        script = json.load(f)
                if script:
                    answer = script.pop(0)
                    with open(script_path, "w") as f:
                        json.dump(script, f)
                else:
                    counter[0] += 1
                    answer = {"status": 200, "body": json.dumps({"ok": True, "result": {"message_id": counter[0]}})}
            time.sleep(answer.get("delay", 0))
            data = answer["body"].encode()
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(os.path.join(folder, "port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(os.path.join(folder, "port.tmp"), os.path.join(folder, "port"))
    server.serve_forever()
    """#
}
