import Foundation

/// One effect of the lanes fixture (`Tests/Fixtures/lanes.c`): "<key> <id> <attempt> <in-flight> <version>".
struct LaneEffect: Equatable {
    let key: String
    let id: String
    let attempt: Int
    /// Handle calls of the plugin's process running when this one finished (parallelism, not time).
    let inFlight: Int
    let version: String

    /// The file's effects in the order they happened.
    static func read(_ path: String) -> [LaneEffect] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ").map(String.init)
            guard f.count == 5 else { return nil }
            return LaneEffect(key: f[0], id: f[1], attempt: Int(f[2]) ?? 0, inFlight: Int(f[3]) ?? 0, version: f[4])
        }
    }

    /// Keys whose effects did not follow `published` (each key's ids in publish order, which is
    /// offset order), with what happened instead. Empty when every key kept its order.
    static func orderViolations(_ effects: [LaneEffect], published: [(key: String, id: String)]) -> [String] {
        var expected: [String: [String]] = [:]
        for event in published { expected[event.key, default: []].append(event.id) }
        var seen: [String: [String]] = [:]
        for effect in effects { seen[effect.key, default: []].append(effect.id) }
        return expected.keys.sorted().compactMap { key in
            let got = seen[key] ?? []
            return got == expected[key] ? nil : "\(key): expected \(expected[key] ?? []), got \(got)"
        }
    }
}

/// A payload for the lanes fixture.
func laneData(delayMs: Int = 0, retries: Int = 0, fail: Bool = false) -> String {
    #"{"delayMs":\#(delayMs),"retries":\#(retries),"fail":\#(fail)}"#
}
