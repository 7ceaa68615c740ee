import CRdKafka

/// Builds an `rd_kafka_conf_t` from a ``KafkaConfiguration`` and the settings a client role needs.
///
/// Why the layering (defaults → user properties → required): defaults are tunable by the operator
/// (e.g. `auto.offset.reset`), but some settings are load-bearing for this module's guarantees
/// (`enable.idempotence`, `enable.auto.offset.store=false`) and are applied last so no
/// `KAFKA_PROPERTY_*` can silently break them. Errors name the property, never the value.
enum RdKafkaConf {
    /// Returns a new conf the caller owns (pass it to `rd_kafka_new` or `rd_kafka_conf_destroy` it).
    static func make(_ configuration: KafkaConfiguration, defaults: [(String, String)],
                     required: [(String, String)]) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: nil, message: "rd_kafka_conf_new failed — out of memory?")
        }
        do {
            try set(conf, "bootstrap.servers", configuration.brokers, secret: false)
            try set(conf, "client.id", configuration.clientId, secret: false)
            for (name, value) in defaults { try set(conf, name, value, secret: false) }
            for (name, value) in configuration.properties.sorted(by: { $0.key < $1.key }) {
                try set(conf, name, value, secret: true)
            }
            for (name, value) in required { try set(conf, name, value, secret: false) }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        return conf
    }

    private static func set(_ conf: OpaquePointer, _ name: String, _ value: String,
                            secret: Bool) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, name, value, &errstr, errstr.count)
        if result == RD_KAFKA_CONF_OK { return }
        let detail = redact(errstr.nulTerminatedString, secrets: secret ? [value] : [])
        if result == RD_KAFKA_CONF_UNKNOWN {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message:
                "invalid librdkafka property '\(name)': \(detail) — check KAFKA_PROPERTY_* names "
                + "(KAFKA_PROPERTY_SASL_MECHANISMS maps to sasl.mechanisms)")
        }
        throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message:
            "invalid value for librdkafka property '\(name)': \(detail) — fix the value of "
            + "KAFKA_PROPERTY_\(name.uppercased().map { $0 == "." ? "_" : $0 }.map(String.init).joined())")
    }

    /// Removes secret values from librdkafka's error text (it quotes invalid values verbatim).
    static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where !secret.isEmpty {
            result = result.replacingAll(secret, with: "<redacted>")
        }
        return result
    }
}

extension String {
    /// Plain substring replacement without Foundation, used only for redaction.
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var output = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            output += rest[..<range.lowerBound]
            output += replacement
            rest = rest[range.upperBound...]
        }
        return output + rest
    }
}
