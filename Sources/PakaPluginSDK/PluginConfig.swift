import Foundation

/// The plugin's `config` object from plugins.json, `${ENV}` already expanded by the host.
public struct PluginConfig: Sendable {
    public let json: [UInt8]

    public init(json: [UInt8]) { self.json = json.isEmpty ? Array("{}".utf8) : json }

    /// Decodes the whole object; a mismatch throws `PluginError.fail` naming the problem.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(json))
        } catch {
            throw PluginError.fail("invalid config: \(error)")
        }
    }

    /// A string setting; nil when absent or empty.
    public subscript(key: String) -> String? {
        // The host hands the `config` object of a plugins.json it validated: this cannot fail on
        // the host's input, and a setting that is absent is nil, which the plugin reports by name.
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else { return nil }
        switch object[key] {
        case let s as String: return s.isEmpty ? nil : s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }
}
