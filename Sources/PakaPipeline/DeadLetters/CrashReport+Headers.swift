import PakaKafka
import PakaPluginHost

extension CrashReport {
    /// The headers a crash adds to the dead letter.
    var headers: [KafkaHeader] {
        var headers = [KafkaHeader(name: "paka.error", string: message), KafkaHeader(name: "paka.crash.plugin", string: plugin),
                       KafkaHeader(name: "paka.crash.attempts", string: String(attempts))]
        switch exit.cause {
        case .signal(let s):
            headers.append(KafkaHeader(name: "paka.crash.signal", string: WorkerExit.signalName(s)))
        case .exitStatus(let status):
            headers.append(KafkaHeader(name: "paka.crash.exit-status", string: String(status)))
        case .timeout(let ms):
            headers.append(KafkaHeader(name: "paka.crash.timeout-ms", string: String(ms)))
        default:
            break
        }
        return headers
    }
}
