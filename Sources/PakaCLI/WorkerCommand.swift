import ArgumentParser
import Foundation
import PakaPipeline
import PakaPluginHost

/// `paka worker`: the child process of a plugin with `"isolation": "process"`. Started by the
/// host with the channel on fd 3; not meant to be run by hand.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Internal: run one process-isolated plugin for a host (started by 'paka serve').",
        shouldDisplay: false)

    @Option(name: .long, help: "The plugin this worker serves (shown by ps; the host sends the details).")
    var plugin: String = ""

    @Option(name: .long, help: "Descriptor of the host channel.")
    var fd: Int32 = 3

    func run() throws {
        let status = WorkerServer.run(fd: fd)
        if status != 0 { throw ExitCode(status) }
    }
}
