import Foundation
import PakaPluginSDK

/// The `data` of a `notification.send` event.
struct NotificationRequest: Decodable {
    let title: String
    let body: String
    let requestedBy: String?
    /// "telegram" | "email" | "webhook" | "log"; nil: every configured channel.
    let channel: String?
    /// A file to send along (Telegram document, e-mail attachment); its path on this host.
    let attachment: String?

    /// The attachment's bytes and file name; FAIL when it cannot be read (a bad event, not an outage).
    func attachmentFile() throws -> (name: String, bytes: [UInt8])? {
        guard let attachment, !attachment.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: attachment) else {
            throw PluginError.fail("attachment '\(attachment)' does not exist or cannot be read on this host")
        }
        return ((attachment as NSString).lastPathComponent, Array(data))
    }

    /// Title and body as one plain text, cut to `limit` characters (the provider's maximum).
    func text(limit: Int) -> String {
        let full = title.isEmpty ? body : body.isEmpty ? title : "\(title)\n\n\(body)"
        return full.count <= limit ? full : String(full.prefix(limit - 1)) + "…"
    }
}
