import Hummingbird
import PakaPipeline
import PakaPluginHost
import Synchronization

/// The encoded answer of `GET /kafka/status`, kept while the status it encodes stays the same.
///
/// Why: the status changes only when the connection or the consumer groups do, yet encoding it
/// with `JSONEncoder` was ~20 % of the route's CPU (perf, release, wrk -c64). The key is the whole
/// `KafkaStatus`, so any change — connected, brokers, consumers — encodes afresh.
final class KafkaStatusAnswer: Sendable {
    private let last = Mutex<(status: KafkaStatus, body: ByteBuffer)?>(nil)

    func body(for status: KafkaStatus) -> ByteBuffer {
        if let cached = last.withLock({ $0 }), cached.status == status { return cached.body }
        let body = ByteBuffer(bytes: JSONResponse.encode(KafkaStatusBody(status)))
        last.withLock { $0 = (status, body) }
        return body
    }

    func response(for status: KafkaStatus) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body(for: status)))
    }
}
