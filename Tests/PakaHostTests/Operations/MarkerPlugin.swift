import Foundation

/// The runbook's plugin (Tests/Fixtures/marker.c): FAILs events carrying "marker-bug" unless
/// built FIXED; records "<version> <id> <attempt> <partition> <paka.replay.by>" per OK event.
enum MarkerPlugin {
    static func buggy() throws -> String {
        try PluginCompiler.build("\(TestPaths.fixtures)/marker.c", name: "marker")
    }

    static func fixed() throws -> String {
        try PluginCompiler.build("\(TestPaths.fixtures)/marker.c", defines: ["FIXED", "FIXTURE_VERSION=\"2.0.0\""], name: "marker")
    }

    /// A scripted-fixture plugin named `bystander` on the same topic, recording to `record`.
    static func bystanderEntry(record: String) throws -> String {
        let library = try PluginCompiler.build(defines: ["FIXTURE_NAME=\"bystander\""], name: "bystander")
        return #"{"name": "bystander", "library": "\#(library)", "topics": ["audit.event"], "config": {"record": "\#(record)"}}"#
    }

    struct Line: Equatable { let version: String; let id: String; let attempt: Int; let by: String }

    static func lines(_ path: String) -> [Line] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ").map(String.init)
            guard f.count >= 5 else { return nil }
            return Line(version: f[0], id: f[1], attempt: Int(f[2]) ?? 0, by: f[4])
        }
    }
}
