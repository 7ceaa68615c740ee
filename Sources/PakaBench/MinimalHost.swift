import Foundation

/// Runs `Benchmarks/minimal_host.c` (built by scripts/bench) against the bench's cluster.
enum MinimalHost {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// Seconds from the first to the `count`-th event handled by the C host.
    static func consume(executable: String, bootstrap: String, topic: String, count: Int, plugin: String, batch: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [bootstrap, topic, String(count), plugin, String(batch)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, let seconds = Double(text) else {
            throw Failed(description: "\(executable) exited \(process.terminationStatus): \(text)")
        }
        return seconds
    }
}
