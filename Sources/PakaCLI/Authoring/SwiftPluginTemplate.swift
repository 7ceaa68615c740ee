import Foundation

/// The Swift flavour of `paka plugin new`: a package depending on this repository's
/// PakaPluginSDK (by path) that builds one `.dynamic` library, with one test.
struct SwiftPluginTemplate {
    let name: String
    let topics: [String]
    let sdkPath: String

    var files: [(String, String)] {
        let type = PluginScaffold.typeName(for: name)
        // SwiftPM names a path dependency after its folder.
        let sdkPackage = (sdkPath as NSString).lastPathComponent.lowercased()
        let topicList = topics.map { "\"\($0)\"" }.joined(separator: ", ")
        return [
            ("Package.swift", """
                // swift-tools-version:6.0
                import PackageDescription

                let package = Package(
                    name: "\(name)",
                    platforms: [.macOS(.v15)],
                    products: [.library(name: "\(type)", type: .dynamic, targets: ["\(type)"])],
                    dependencies: [.package(path: "\(sdkPath)")],
                    targets: [
                        .target(
                            name: "\(type)", dependencies: [.product(name: "PakaPluginSDK", package: "\(sdkPackage)")],
                            // Resolve this image's own symbols first, whatever else the host loaded.
                            linkerSettings: [.unsafeFlags(["-Xlinker", "-Bsymbolic"])]),
                        .testTarget(name: "\(type)Tests", dependencies: ["\(type)"]),
                    ]
                )

                """),
            ("Sources/\(type)/\(type).swift", """
                import PakaPluginSDK

                /// \(name): logs each event and publishes a `\(name).processed` event derived from it.
                public final class \(type): PakaPlugin {
                    public static let name = "\(name)"
                    public static let version = "0.1.0"
                    public static let topics = [\(topicList)]

                    /// What this plugin publishes for every event it handles.
                    public struct Processed: Codable, Equatable, Sendable {
                        public var source: String
                        public var topic: String

                        public init(source: String, topic: String) {
                            self.source = source
                            self.topic = topic
                        }
                    }

                    private let host: PluginHost

                    public init(host: PluginHost, config: PluginConfig) throws {
                        self.host = host
                    }

                    public func handle(_ event: Event) throws {
                        host.log(.info, "\(name) got \\(event.id) on \\(event.topic)")
                        try host.publish(topic: "\(name).processed", key: event.key, data: Self.processed(from: event))
                    }

                    public static func processed(from event: Event) -> Processed {
                        Processed(source: event.id, topic: event.topic)
                    }
                }

                @_cdecl("paka_plugin_entry")
                public func pakaPluginEntry() -> UnsafeRawPointer { PluginExport.entry(for: \(type).self) }

                """),
            ("Tests/\(type)Tests/\(type)Tests.swift", """
                import PakaPluginSDK
                import Testing
                import \(type)

                @Test func derivedEventNamesTheEventItCameFrom() {
                    let event = Event(id: "0b9c6a52-0000-4000-8000-000000000001", topic: "\(topics[0])", key: "k", envelope: Array(#"{"data":{}}"#.utf8))
                    #expect(\(type).processed(from: event) == .init(source: event.id, topic: "\(topics[0])"))
                }

                """),
            ("events.jsonl", PluginScaffold.sampleEvents(topic: topics[0])),
            (".gitignore", ".build/\nPackage.resolved\n"),
        ]
    }
}
