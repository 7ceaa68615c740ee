import Foundation

/// A real SMTP server (Debian's python3-aiosmtpd, `python3 -m aiosmtpd`) whose handler parses
/// each delivered message and writes what a recipient would see as one JSON file.
final class SMTPCaptureServer: @unchecked Sendable {
    struct Message: Decodable {
        let mailFrom: String
        let rcptTos: [String]
        let from: String
        let to: String
        let subject: String
        let messageId: String
        let date: String
        let body: String?
        let attachments: [Attachment]
        struct Attachment: Decodable { let name: String?; let content: String }  // content: base64
    }

    private let dir = TemporaryDirectory()
    private let process = Process()
    let port: Int
    var url: String { "smtp://127.0.0.1:\(port)" }

    init() throws {
        _ = dir.write("paka_smtp_capture.py", Self.handler)
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        port = try NotificationTestEnvironment.freePort()
        process.executableURL = URL(fileURLWithPath: NotificationTestEnvironment.python)
        process.arguments = ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "paka_smtp_capture.Capture"]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = dir.path
        environment["PAKA_SMTP_OUT"] = dir.file("out")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try NotificationTestEnvironment.waitForListener(port: port, what: "aiosmtpd (apt-get install python3-aiosmtpd)")
    }

    deinit {
        // SIGKILL: the child inherits the test runner's blocked-signal mask, so SIGTERM may never arrive.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var messages: [Message] {
        let folder = dir.file("out")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: "\(folder)/\(name)").flatMap { try? JSONDecoder().decode(Message.self, from: $0) }
        }
    }

    private static let handler = #"""
    import base64, email, json, os, threading, time
    from email import policy

    def exit_with_parent(parent=os.getppid()):
        # The test runner may die without killing us: do not outlive it.
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()

    class Capture:
        async def handle_DATA(self, server, session, envelope):
            out = os.environ["PAKA_SMTP_OUT"]
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            text = message.get_body(preferencelist=("plain",))
            record = {
                "mailFrom": envelope.mail_from, "rcptTos": envelope.rcpt_tos,
                "from": str(message["From"]), "to": str(message["To"]), "subject": str(message["Subject"]),
                "messageId": str(message["Message-ID"]), "date": str(message["Date"]),
                "body": text.get_content() if text is not None else None,
                "attachments": [{"name": part.get_filename(), "content": base64.b64encode(part.get_payload(decode=True)).decode()}
                                for part in message.iter_attachments()],
            }
            path = os.path.join(out, "%04d.json" % len(os.listdir(out)))
            with open(path + ".tmp", "w") as f:
                json.dump(record, f)
            os.rename(path + ".tmp", path)
            return "250 Message accepted for delivery"
    """#
}
