import PakaPluginSDK

/// The plugin's `config` (plugins.json, `${ENV}` expanded): which channels are on and how to
/// reach them. Refuses half-configured channels at create, where the operator sees it.
struct NotificationSettings {
    let databaseURL: String
    let telegram: (token: String, chatId: String, apiBase: String)?
    let email: (url: String, user: String?, password: String?, from: String, to: [String])?
    let webhookURL: String?
    /// Per request, for every provider.
    let timeout: Double
    /// A Telegram 429 asking to wait longer than this is answered RETRY instead of waited out.
    let maxRetryAfter: Double

    init(_ config: PluginConfig) throws {
        guard let databaseURL = config["databaseURL"] else {
            throw PluginError.fail("notification needs DATABASE_URL: the notifications table records what was sent so a redelivered event is not sent twice — set DATABASE_URL (or config.databaseURL in plugins.json)")
        }
        self.databaseURL = databaseURL
        switch (config["telegramBotToken"], config["telegramChatId"]) {
        case let (token?, chat?):
            let base = config["telegramAPIBase"] ?? "https://api.telegram.org"
            telegram = (token, chat, base.hasSuffix("/") ? String(base.dropLast()) : base)
        case (nil, nil):
            telegram = nil
        default:
            throw PluginError.fail("the Telegram channel needs both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID (only one is set)")
        }
        if let url = config["smtpURL"] {
            let to = (config["mailTo"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard let from = config["mailFrom"], !to.isEmpty else {
                throw PluginError.fail("the e-mail channel (SMTP_URL is set) needs MAIL_FROM and MAIL_TO (comma-separated addresses)")
            }
            email = (url, config["smtpUser"], config["smtpPassword"], from, to)
        } else {
            email = nil
        }
        webhookURL = config["webhookURL"]
        timeout = try Self.seconds("timeoutSeconds", in: config, default: 30, range: 0.1...3600, said: "0.1 to 3600")
        maxRetryAfter = try Self.seconds("maxRetryAfterSeconds", in: config, default: 30, range: 0...3600, said: "0 to 3600")
    }

    /// A number of seconds from the config, `default` when unset. Anything else is refused at
    /// create: a value like `1e300` reached an integer conversion (libcurl's milliseconds), a
    /// trap in the host, and a typo was silently the default.
    private static func seconds(_ key: String, in config: PluginConfig, default fallback: Double, range: ClosedRange<Double>, said: String) throws -> Double {
        guard let text = config[key] else { return fallback }
        guard let value = Double(text), range.contains(value) else {
            throw PluginError.fail("\(key) must be a number of seconds from \(said); got '\(text)'")
        }
        return value
    }

    /// Values that must never appear in a log line, an error or an event. The webhook URL counts:
    /// chat-service webhook URLs carry their credential in the path.
    var secrets: [String] {
        [telegram?.token, email?.password, webhookURL].compactMap { $0 }.filter { $0.count >= 4 }
    }

    /// `text` with every secret replaced by "[redacted]".
    func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }
}
