import PakaPluginSDK

/// Parses, chunks and embeds uploaded documents.
///
/// This release receives and logs its events; its real work lands with the processors issue.
public final class DocumentProcessor: PakaPlugin {
    public static let name = "document"
    public static let version = "0.1.0"
    public static let topics = ["document.uploaded"]
    public static let consumerGroup: String? = "paka-document-processor"

    private let host: PluginHost

    public init(host: PluginHost, config: PluginConfig) throws {
        self.host = host
    }

    public func handle(_ event: Event) throws {
        host.log(.info, "received \(event.topic) event \(event.id) (key \(event.key), \(event.envelope.count) bytes)")
    }
}

@_cdecl("paka_plugin_entry")
public func pakaPluginEntry() -> UnsafeRawPointer { PluginExport.entry(for: DocumentProcessor.self) }
