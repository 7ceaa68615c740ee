
#if canImport(Glibc)
import Foundation
import Glibc
import PakaPipeline
import PakaPluginHost
#endif

/// The child side of `paka plugin test`: load, create, hand over each event, print everything.
struct PluginTestRun {
    let file: String
    let eventsPath: String
    let config: String
    let allowInsecure: Bool
    /// Instances called side by side; events of one key stay in file order on one of them.
    var concurrency = 1

    /// The exit status `paka plugin test` documents.
    func run() -> Int32 {
        let scratch = NSTemporaryDirectory() + "paka-plugin-test-\(getpid())"
        defer {
            // Absent when the plugin never asked for its data folder.
            if FileManager.default.fileExists(atPath: scratch) {
                do { try FileManager.default.removeItem(atPath: scratch) } catch {
                    emit("warning: cannot remove the scratch folder \(scratch): \(error.localizedDescription)")
                }
            }
        }
        let plugin: StandalonePlugin
        do throws(PluginLoadError) {
            plugin = try StandalonePlugin(path: file, configJSON: Array(config.utf8), services: PrintingHostServices(dataRoot: scratch),
                                          options: .init(allowInsecurePermissions: allowInsecure), instances: concurrency)
        } catch {
            emit("\(error.path): refused: \(error.message)")
            return 2
        }
        let d = plugin.image.descriptor
        emit("plugin \(d.name) \(d.version) (ABI \(d.abiVersion)) from \(file)")
        d.olderMinorPitfalls.forEach { emit("warning: \($0)") }
        let text: String
        do {
            text = try String(contentsOfFile: eventsPath, encoding: .utf8)
        } catch {
            emit("\(eventsPath): cannot be read as UTF-8 text (\(error.localizedDescription))")
            _ = plugin.finish()
            return 1
        }
        var counts = (ok: 0, fail: 0, retry: 0, bad: 0)
        let lines = TestEventFile.parse(text, topic: d.topics.first ?? "\(d.name).in")
        // In parallel the answers are printed in file order once all are in (a crash then shows
        // no last event: run without --concurrency to find it).
        let answered = concurrency > 1 ? ParallelEventRun(plugin: plugin, lines: lines, lanes: plugin.instanceCount).run() : [:]
        if concurrency > 1 { emit("\(plugin.instanceCount) instances in parallel; the events of one key in file order on one of them") }
        for line in lines {
            switch line.event {
            case .failure(let problem):
                emit("line \(line.number): \(problem.description)")
                counts.bad += 1
            case .success(let event):
                emit("event \(line.number): id \(event.id), topic \(event.topic)")
                let outcome = answered[line.number] ?? plugin.handle([event]).first ?? .fail("the plugin gave no result")
                switch outcome {
                case .ok: counts.ok += 1; emit("  result: OK")
                case .retry(let why): counts.retry += 1; emit("  result: RETRY: \(why)")
                case .fail(let why): counts.fail += 1; emit("  result: FAIL: \(why)")
                }
            }
        }
        if case .fail(let why) = plugin.finish() { emit("flush: FAIL: \(why)"); counts.fail += 1 }
        emit("\(counts.ok + counts.fail + counts.retry) events: \(counts.ok) OK, \(counts.fail) FAIL, \(counts.retry) RETRY"
              + (counts.bad > 0 ? "; \(counts.bad) bad lines" : ""))
        return counts.fail + counts.retry + counts.bad == 0 ? 0 : 1
    }
}

/// Prints a line and flushes at once: whatever was printed before a plugin crashes the process
/// must reach the terminal (stdout to a pipe is otherwise block-buffered and lost with it).
func emit(_ line: String) {
    print(line)
    fflush(nil)
}
