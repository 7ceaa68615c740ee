import CPakaABI
import CPakaABIHost
import Foundation
import PakaPipeline
import PakaPluginHost

/// Writes a ready-to-build processor folder for `paka plugin new`: a plugin that consumes its
/// topics, logs each event, publishes one derived `<name>.processed` event, and has one test.
public struct PluginScaffold: Sendable {
    public enum Language: String, Sendable, CaseIterable { case swift, c, rust }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public var name: String
    public var language: Language
    public var topics: [String]
    /// Swift only: the Paka repository the package depends on (for PakaPluginSDK), by path.
    public var sdkPath: String?
    /// The `paka` whose `plugin test` the scaffold's `make test` runs (default: `paka` on PATH).
    public var pakaExecutable: String?

    public init(name: String, language: Language, topics: [String], sdkPath: String? = nil, pakaExecutable: String? = nil) {
        self.name = name
        self.language = language
        self.topics = topics.isEmpty ? ["\(name).in"] : topics
        self.sdkPath = sdkPath
        self.pakaExecutable = pakaExecutable
    }

    /// The header the plugin compiles against, exactly as this host was built with.
    public static var headerText: String { String(cString: paka_plugin_header()) }

    /// The same ABI as a Rust module (`paka plugin header --rust`).
    public static var rustBindingsText: String { RustBindings.text }

    /// Creates `folder` (which must not exist) and returns the files written, relative to it.
    @discardableResult
    public func write(to folder: String) throws(Failure) -> [String] {
        guard PluginDescriptor.isValidName(name) else {
            throw Failure(description: "'\(name)' is not a valid plugin name; use 1-64 characters from [a-z0-9_-]")
        }
        if let bad = topics.first(where: { !Topics.isValidName($0) }) {
            throw Failure(description: "'\(bad)' is not a valid Kafka topic name (1-249 of [a-zA-Z0-9._-])")
        }
        guard !FileManager.default.fileExists(atPath: folder) else {
            throw Failure(description: "\(folder) already exists; choose another --output or remove it")
        }
        let files: [(String, String)]
        switch language {
        case .c: files = CPluginTemplate(name: name, topics: topics, pakaExecutable: pakaExecutable).files
        case .rust: files = RustPluginTemplate(name: name, topics: topics, pakaExecutable: pakaExecutable).files
        case .swift:
            guard let sdkPath else {
                throw Failure(description: "a Swift plugin depends on this repository's PakaPluginSDK: pass --sdk PATH (the Paka checkout)")
            }
            files = SwiftPluginTemplate(name: name, topics: topics, sdkPath: sdkPath).files
        }
        do {
            for (path, text) in files {
                let target = (folder as NSString).appendingPathComponent(path)
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: target))
            }
        } catch {
            throw Failure(description: "could not write \(folder): \(error.localizedDescription)")
        }
        return files.map(\.0)
    }

    /// Two events for `paka plugin test --events`: a whole CloudEvent, and bare data (wrapped).
    static func sampleEvents(topic: String) -> String {
        #"{"specversion":"1.0","id":"0b9c6a52-0000-4000-8000-000000000001","source":"example","type":"\#(topic)","subject":"r-1","data":{"hello":"world"}}"#
            + "\n" + #"{"note":"a line that is not a CloudEvent is the data of one, of type \#(topic)"}"# + "\n"
    }

    /// `my-plugin` → `MyPlugin`: the Swift type and target name.
    public static func typeName(for name: String) -> String {
        name.split(whereSeparator: { $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `my-plugin` → `my_plugin`: a C identifier.
    static func cIdentifier(for name: String) -> String { name.replacingOccurrences(of: "-", with: "_") }
}
