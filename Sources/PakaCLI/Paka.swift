import ArgumentParser

@main
struct Paka: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paka",
        abstract: "Event processors as plugins: a Kafka-backed host that loads .so processors.",
        subcommands: [Serve.self, PluginCommand.self, ConfigCommand.self, TokenCommand.self, BrokerCommand.self, DeadLetterCommand.self, WorkerCommand.self],
        defaultSubcommand: Serve.self)
}
