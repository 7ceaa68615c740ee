import PakaCurl
import PakaPluginSDK

/// E-mail over SMTP (smtp:// with STARTTLS when offered, or smtps://).
struct EmailChannel: NotificationChannel {
    let name = "email"
    let url: String
    let user: String?
    let password: String?
    let from: String
    let to: [String]
    let timeout: Double

    func deliver(_ request: NotificationRequest, eventId: String) throws -> Delivery {
        // The event id makes the Message-ID stable, so a duplicate is recognisable as one.
        let domain = from.split(separator: "@").last.map(String.init) ?? "paka.local"
        var message = MailMessage(from: from, to: to, subject: request.title, body: request.body, messageId: "\(eventId)@\(domain)")
        if let file = try request.attachmentFile() {
            message.attachment = (file.name, AttachmentType.contentType(forFileName: file.name), file.bytes)
        }
        do {
            try SMTPClient.send(url: url, user: user, password: password, from: from, recipients: to,
                                headers: message.headers, parts: message.parts, timeout: timeout)
        } catch {
            // 4xx replies are temporary by definition (RFC 5321), 5xx permanent.
            let reason = "SMTP delivery failed: \(error)"
            if (400..<500).contains(error.responseCode) { throw PluginError.retry(reason) }
            throw error.isPermanent ? PluginError.fail(reason + " (check SMTP_URL, SMTP_USER, MAIL_FROM, MAIL_TO)") : PluginError.retry(reason)
        }
        return Delivery(status: "sent", providerMessageId: "<\(message.messageId)>")
    }
}
