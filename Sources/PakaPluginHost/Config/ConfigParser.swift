/// Turns plugins.json bytes into a `PakaConfiguration`, collecting every problem with its path.
struct ConfigParser {
    let file: String
    let environment: [String: String]
    private var issues: [ConfigIssue] = []

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    func parse(_ bytes: [UInt8]) throws(ConfigError) -> PakaConfiguration {
        var parser = self
        return try parser.run(bytes)
    }

    private mutating func run(_ bytes: [UInt8]) throws(ConfigError) -> PakaConfiguration {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "not valid JSON (\(Self.describe(error)))")])
        }
        let expanded = expand(document, path: "")
        var result = PakaConfiguration()
        var top = ObjectReader(expanded, path: "", issues: &issues)
        if let dir = top.string("pluginDir", issues: &issues) { result.pluginDir = dir }
        if let kafka = top.object("kafka", issues: &issues) {
            for (key, value) in kafka.sorted(by: { $0.key < $1.key }) {
                switch value {
                case .string(let s): result.kafkaProperties[key] = s
                case .number, .bool: result.kafkaProperties[key] = String(decoding: value.jsonBytes, as: UTF8.self)
                default: issues.append(ConfigIssue(path: "kafka.\(key)", message: "must be a string, number or boolean librdkafka property value"))
                }
            }
        }
        if let plugins = top.array("plugins", issues: &issues) {
            var seen: [String: Int] = [:]
            for (index, item) in plugins.enumerated() {
                guard let entry = parseEntry(item, path: "plugins[\(index)]") else { continue }
                if let first = seen[entry.name] {
                    issues.append(ConfigIssue(path: "plugins[\(index)].name", message: "duplicate plugin name '\(entry.name)' (also plugins[\(first)])"))
                    continue
                }
                seen[entry.name] = index
                result.plugins.append(entry)
            }
        }
        top.finish(known: ["pluginDir", "kafka", "plugins", "$schema"], issues: &issues)
        guard issues.isEmpty else { throw ConfigError(file: file, issues: issues) }
        return result
    }

    private mutating func parseEntry(_ value: JSONValue, path: String) -> PluginEntry? {
        let before = issues.count
        var reader = ObjectReader(value, path: path, issues: &issues)
        guard reader.isObject else { return nil }
        let name = reader.string("name", required: true, issues: &issues) ?? ""
        if !name.isEmpty, !PluginDescriptor.isValidName(name) {
            issues.append(ConfigIssue(path: "\(path).name", message: "'\(name)' is not a valid plugin name; use 1-64 characters from [a-z0-9_-]"))
        }
        let library = reader.string("library", required: true, issues: &issues) ?? ""
        var entry = PluginEntry(name: name, library: library)
        entry.enabled = reader.bool("enabled", issues: &issues) ?? true
        entry.paused = reader.bool("paused", issues: &issues) ?? false
        entry.groupId = reader.string("groupId", issues: &issues)
        if let topics = reader.array("topics", issues: &issues) {
            entry.topics = topics.enumerated().compactMap { i, t in
                guard let s = t.stringValue, !s.isEmpty else {
                    issues.append(ConfigIssue(path: "\(path).topics[\(i)]", message: "must be a non-empty string"))
                    return nil
                }
                return s
            }
            if topics.isEmpty { issues.append(ConfigIssue(path: "\(path).topics", message: "must list at least one topic (or be left out to use the plugin's own)")) }
        }
        entry.concurrency = reader.integer("concurrency", in: 1...64, issues: &issues) ?? 1
        entry.batchSize = reader.integer("batchSize", in: 1...10_000, issues: &issues) ?? 100
        if let retry = reader.value("retry") {
            var r = ObjectReader(retry, path: "\(path).retry", issues: &issues)
            if r.isObject {
                entry.retry.maxAttempts = r.integer("maxAttempts", in: 1...1_000_000, issues: &issues)
                entry.retry.initialBackoffMs = r.integer("initialBackoffMs", in: 1...3_600_000, issues: &issues) ?? entry.retry.initialBackoffMs
                entry.retry.maxBackoffMs = r.integer("maxBackoffMs", in: 1...3_600_000, issues: &issues) ?? entry.retry.maxBackoffMs
                if entry.retry.maxBackoffMs < entry.retry.initialBackoffMs {
                    issues.append(ConfigIssue(path: "\(path).retry.maxBackoffMs", message: "must be ≥ initialBackoffMs (\(entry.retry.initialBackoffMs))"))
                }
                r.finish(known: ["maxAttempts", "initialBackoffMs", "maxBackoffMs"], issues: &issues)
            }
        }
        if let pin = reader.string("sha256", issues: &issues) {
            if pin.count == 64, pin.allSatisfy(\.isHexDigit) { entry.sha256 = pin.lowercased() } else {
                issues.append(ConfigIssue(path: "\(path).sha256", message: "must be 64 hexadecimal characters (the output of sha256sum)"))
            }
        }
        if let config = reader.value("config") {
            if config.objectValue != nil { entry.config = config } else {
                issues.append(ConfigIssue(path: "\(path).config", message: "must be an object, not \(config.typeName)"))
            }
        }
        parseContainment(&reader, into: &entry, path: path)
        parseParallelism(&reader, into: &entry, path: path)
        reader.finish(known: ["name", "library", "enabled", "paused", "groupId", "topics", "concurrency", "batchSize", "retry", "sha256", "config",
                              "isolation", "handleTimeoutMs", "crash", "workerMemoryLimitMb",
                              "synchronousQueueLimit", "ordering", "maxInFlight", "prefetchKBytes", "delivery"], issues: &issues)
        return issues.count == before ? entry : nil
    }

    /// The containment keys, whose names and values are a contract with users' `plugins.json`:
    /// `isolation` (`"inprocess"`, the default, or `"process"`), `handleTimeoutMs` (process mode:
    /// a worker stuck in `handle` longer is killed, like a crash) and `crash.maxAttempts` (crashes
    /// of the same event before it is dead-lettered).
    private mutating func parseContainment(_ reader: inout ObjectReader, into entry: inout PluginEntry, path: String) {
        if let isolation = reader.string("isolation", issues: &issues) {
            if let mode = PluginIsolation(rawValue: isolation) { entry.isolation = mode } else {
                let known = PluginIsolation.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
                issues.append(ConfigIssue(path: "\(path).isolation", message: "unknown isolation '\(isolation)'; use \(known)"))
            }
        }
        entry.handleTimeoutMs = reader.integer("handleTimeoutMs", in: 10...86_400_000, issues: &issues) ?? entry.handleTimeoutMs
        entry.workerMemoryLimitMb = reader.integer("workerMemoryLimitMb", in: 64...1_048_576, issues: &issues)
        entry.synchronousQueueLimit = reader.integer("synchronousQueueLimit", in: 1...100_000, issues: &issues) ?? entry.synchronousQueueLimit
        if let crash = reader.value("crash") {
            var c = ObjectReader(crash, path: "\(path).crash", issues: &issues)
            if c.isObject {
                entry.crash.maxAttempts = c.integer("maxAttempts", in: 1...100, issues: &issues) ?? entry.crash.maxAttempts
                c.finish(known: ["maxAttempts"], issues: &issues)
            }
        }
    }

    /// `ordering`, `maxInFlight`, `prefetchKBytes` (docs/kafka.md, "Ordering and parallelism") and
    /// `delivery` (docs/kafka.md, "Exactly-once").
    private mutating func parseParallelism(_ reader: inout ObjectReader, into entry: inout PluginEntry, path: String) {
        if let ordering = reader.string("ordering", issues: &issues) {
            if let mode = PluginOrdering(rawValue: ordering) { entry.ordering = mode } else {
                let known = PluginOrdering.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                issues.append(ConfigIssue(path: "\(path).ordering", message: "unknown ordering '\(ordering)'; use \(known)"))
            }
        }
        entry.maxInFlight = reader.integer("maxInFlight", in: 1...100_000, issues: &issues) ?? entry.maxInFlight
        entry.prefetchKBytes = reader.integer("prefetchKBytes", in: 64...2_097_151, issues: &issues) ?? entry.prefetchKBytes
        if let delivery = reader.string("delivery", issues: &issues) {
            if let mode = PluginDelivery(rawValue: delivery) { entry.delivery = mode } else {
                let known = PluginDelivery.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
                issues.append(ConfigIssue(path: "\(path).delivery", message: "unknown delivery '\(delivery)'; use \(known)"))
            }
        }
    }

    /// Expands `${ENV}` in every string; a failure is reported at the string's path.
    private mutating func expand(_ value: JSONValue, path: String) -> JSONValue {
        switch value {
        case .string(let s):
            switch EnvironmentExpander(environment: environment).expand(s) {
            case .success(let expanded): return .string(expanded)
            case .failure(.unset(let name)):
                issues.append(ConfigIssue(path: path, message: "environment variable \(name) is not set (write ${\(name):-} to make it optional)"))
            case .failure(.malformed(let why)):
                issues.append(ConfigIssue(path: path, message: why))
            }
            return value
        case .array(let items):
            return .array(items.enumerated().map { expand($1, path: "\(path)[\($0)]") })
        case .object(let fields):
            var out: [String: JSONValue] = [:]
            for (key, item) in fields { out[key] = expand(item, path: path.isEmpty ? key : "\(path).\(key)") }
            return .object(out)
        default:
            return value
        }
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if let range = text.range(of: "NSDebugDescription=") ?? text.range(of: "debugDescription: \"") {
            return String(text[range.upperBound...].prefix(160)).trimmingCharacters(in: CharacterSet(charactersIn: "\",)"))
        }
        return String(text.prefix(160))
    }
}

import Foundation
