import CPakaABI
import CPakaIsolation
import Foundation

/// The child side of process isolation (`paka worker`): loads the plugin with the host's own
/// loader checks, creates one instance and serves the host's requests one at a time until the
/// host says `destroy` or goes away.
public enum WorkerServer {
    /// Serves the channel on `fd`; returns the process exit status.
    public static func run(fd: Int32) -> Int32 {
        _ = paka_worker_die_with_parent()
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C in a terminal and systemd's stop signal reach the whole process group: the host
        // shuts its workers down itself (flush, destroy), and they die with it in any case.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let channel = FrameChannel(fd: fd)
        // Whatever is wrong with the first frame, the answer is the same: this command is not for people.
        guard let first = channel.receive(), first.kind == .start, let start = try? WorkerMessages.decodeStart(first.body) else {
            FileHandle.standardError.write(Data("paka worker: no start request on fd \(fd); this command is started by the host\n".utf8))
            return 2
        }
        if start.memoryLimitMb > 0 {
            let status = paka_worker_limit_memory(start.memoryLimitMb)
            if status != 0 {
                channel.send(WorkerMessages.encode(.refused(PluginLoadError(.createFailed, path: start.libraryPath,
                    "cannot limit the worker's memory to \(start.memoryLimitMb) MiB: \(String(cString: strerror(status)))"))))
                return 1
            }
        }
        let instance: PluginInstance
        do throws(PluginLoadError) {
            let image = try PluginImage.load(path: start.libraryPath, options: .init(
                allowInsecurePermissions: start.allowInsecurePermissions, expectedSHA256: start.expectedSHA256))
            // The private copy is mapped now; a worker that crashes must not leave it behind.
            unlink(image.loadedPath)
            rmdir((image.loadedPath as NSString).deletingLastPathComponent)
            guard image.descriptor.name == start.expectedName else {
                throw PluginLoadError(.nameMismatch, path: start.libraryPath,
                    "plugins.json entry '\(start.expectedName)' points at plugin '\(image.descriptor.name)'; name the entry '\(image.descriptor.name)' or fix 'library'")
            }
            let services = ForwardingHostServices(channel: channel, dataDirectory: start.dataDirectory)
            instance = try PluginInstance(image: image, host: HostTable(pluginName: image.descriptor.name, services: services), configJSON: start.configJSON)
            channel.send(WorkerMessages.encode(.ready(image.descriptor, sha256: image.sha256)))
        } catch {
            channel.send(WorkerMessages.encode(.refused(error)))
            return 1
        }
        var results: [paka_event_result] = []  // reused by every batch
        while let request = channel.receive() {
            do {
                switch request.kind {
                case .handle:
                    // Events straight from the frame to the plugin and answers straight back: no
                    // per-event strings or arrays (this is the per-event cost of isolation).
                    let reply = WorkerMessages.withABIEvents(in: request.body) { events in
                        if results.count < events.count {
                            results = [paka_event_result](repeating: paka_event_result(code: PAKA_RETRY, error: nil), count: events.count)
                        }
                        return results.withUnsafeMutableBufferPointer { all in
                            let batch = UnsafeMutableBufferPointer(rebasing: all[0..<events.count])
                            instance.handle(events, results: batch)
                            return WorkerMessages.encode(UnsafeBufferPointer(batch), describe: instance.outcome)
                        }
                    }
                    guard let reply else { return 2 }
                    channel.send(reply)
                case .flush:
                    channel.send(WorkerMessages.encodeFlushed(instance.flush()))
                case .health:
                    channel.send(WorkerMessages.encode(health: instance.health()))
                case .http:
                    channel.send(WorkerMessages.encode(instance.serveHTTP(try WorkerMessages.decodeHTTPRequest(request.body))))
                case .destroy:
                    instance.destroy()
                    channel.send(WireWriter(kind: .destroyed))
                    return 0
                default:
                    return 2
                }
            } catch {
                return 2
            }
        }
        // The host closed the channel without `destroy` (it is shutting down hard): just exit.
        return 0
    }
}
