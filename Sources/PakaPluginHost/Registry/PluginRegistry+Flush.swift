import Logging

extension PluginRegistry {
    /// Retires `plugin` (the swap's last step) and logs and counts what each instance's `flush`
    /// answered: the old version lives until its flush succeeded or `options.flushWait` ended.
    func retireRecordingFlush(_ plugin: LoadedPlugin) {
        let results = plugin.retire(flushWait: options.flushWait)
        guard plugin.descriptor.capabilities.contains(.flush) else { return }
        for (instance, result) in results.enumerated() {
            let metadata: Logger.Metadata = [
                "plugin": "\(plugin.name)", "version": "\(plugin.descriptor.version)", "instance": "\(instance)", "attempts": "\(result.attempts)"]
            switch result.outcome {
            case .ok:
                flushes.record(plugin: plugin.name, succeeded: true)
                logger.info("retired version flushed", metadata: metadata)
            case .fail(let reason):
                flushes.record(plugin: plugin.name, succeeded: false)
                logger.error("retired version's flush failed; work it buffered may be lost", metadata: metadata.merging(["reason": "\(reason)"]) { a, _ in a })
            case .retry:
                flushes.record(plugin: plugin.name, succeeded: false)
                logger.error("retired version still asked to retry its flush when the wait ended; destroyed anyway",
                             metadata: metadata.merging(["flush_wait": "\(options.flushWait)"]) { a, _ in a })
            }
        }
    }
}
