import Foundation

/// Starts `paka serve` as its own process against `bootstrap`, output into `log`: loopback only,
/// a random port, and the short group session the embedded cluster needs to rebalance quickly.
func startPakaServe(bootstrap: String, pluginsFile: String, dataDirectory: String, log: String,
                    environment extra: [String: String] = [:]) throws -> Process {
    var env = ProcessInfo.processInfo.environment
    env["KAFKA_BROKERS"] = bootstrap
    env["PORT"] = "0"
    env["PAKA_BIND"] = "127.0.0.1"
    env["PAKA_PLUGINS_FILE"] = pluginsFile
    env["PAKA_DATA_DIR"] = dataDirectory
    env["JWT_SECRET"] = String(repeating: "s", count: 32)
    env["KAFKA_PROPERTY_SESSION_TIMEOUT_MS"] = "3000"
    env["KAFKA_PROPERTY_HEARTBEAT_INTERVAL_MS"] = "500"
    env.merge(extra) { _, new in new }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TestPaths.pakaExecutable)
    process.arguments = ["serve"]
    process.environment = env
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    process.standardOutput = FileHandle(forWritingAtPath: log)
    process.standardError = process.standardOutput
    try process.run()
    return process
}

/// An admin token for a host started by `startPakaServe` (signed with its JWT_SECRET).
func adminToken(sub: String = "carol") throws -> String {
    var env = ProcessInfo.processInfo.environment
    env["JWT_SECRET"] = String(repeating: "s", count: 32)
    return try run(TestPaths.pakaExecutable, ["token", "--sub", sub, "--admin"], environment: env).output
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// What `GET /plugins` of the host at `url` says of `plugin` (nil: not listed or no answer).
func pluginStatus(_ plugin: String, at url: String) throws -> [String: Any]? {
    let answer = try run("/usr/bin/env", ["curl", "-s", "--max-time", "10", "-H", "Authorization: Bearer \(try adminToken())", "\(url)/plugins"])
    let statuses = try? JSONSerialization.jsonObject(with: Data(answer.output.utf8)) as? [[String: Any]]
    return statuses?.first { $0["name"] as? String == plugin }
}
