import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import PakaPipeline
import PakaPluginHost

/// Per connection, after the HTTP decoder: enforces `HTTPLimits` and answers what breaks them.
///
/// - one connection too many: the first request is answered 503 (`Retry-After: 1`), then closed;
/// - request headers not complete `headerTimeout` after their first byte: 408, then closed;
/// - a request body silent for `bodyTimeout`: 408 (or a plain close once a response started);
/// - headers larger than `maximumHeaderBytes` (the decoder's limit): 431, then closed;
/// - a response that says `Connection: close` (a refused body past `BodyDrain`'s cap): closed
///   once written.
///
/// A refused request never reaches the router. Each refusal is counted in
/// `paka_http_refused_total{reason}`.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// Between requests (keep-alive): Hummingbird's idle timeout applies.
        case idle
        /// Bytes of a request arrived, its headers are not complete yet.
        case head
        /// Headers done, body still arriving.
        case body
        /// The request was read to its end; its response is being produced.
        case answering
        /// This guard answered and is closing the connection: nothing more goes up.
        case refused
    }

    private let counter: ConnectionCounter
    private let marker = ReadActivityMarker()
    private var phase = Phase.idle
    private var tooMany = false
    private var counted = false
    private var responseStarted = false
    /// The response being written says `Connection: close` (a refused body too long to drain):
    /// close once its end is out, or Hummingbird would go on reading the body.
    private var closeAfterResponse = false
    private var timer: Scheduled<Void>?
    /// This handler's context while it is in the pipeline, for timers that fire later.
    private var context: ChannelHandlerContext?

    init(counter: ConnectionCounter) {
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        marker.guardian = self
        // Throws only when the channel is already closed (the pipeline is torn down): there is
        // then nothing left to time out.
        try? context.pipeline.syncOperations.addHandler(marker, position: .first)
        if context.channel.isActive { count() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        count()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        if counted { counter.closed(); counted = false }
        context.fireChannelInactive()
    }

    private func count() {
        guard !counted else { return }
        counted = true
        tooMany = !counter.opened()
    }

    /// Called by the marker (same event loop) for every inbound buffer.
    func bytesArrived() {
        switch phase {
        case .idle:
            phase = .head
            arm(.headerTimeout, after: counter.limits.headerTimeoutMilliseconds)
        case .body:
            arm(.bodyTimeout, after: counter.limits.bodyTimeoutMilliseconds)
        case .head, .answering, .refused:
            break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard phase != .refused else { return }
        let part = unwrapInboundIn(data)
        switch part {
        case .head:
            timer?.cancel()
            responseStarted = false
            if tooMany {
                refuse(context, .tooManyConnections)
                return
            }
            phase = .body
            arm(.bodyTimeout, after: counter.limits.bodyTimeoutMilliseconds)
        case .body:
            break
        case .end:
            timer?.cancel()
            phase = .answering
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            responseStarted = true
            closeAfterResponse = response.headerFields[.connection]?.lowercased() == "close"
        case .end where closeAfterResponse:
            phase = .refused
            timer?.cancel()
            let written = context.writeAndFlush(data)
            written.cascade(to: promise)
            written.whenComplete { _ in context.close(promise: nil) }
            return
        case .end where phase == .answering: phase = .idle
        default: break
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parse = error as? HTTPParserError, parse == .headerOverflow, phase != .refused {
            refuse(context, .headerTooLarge)
            return
        }
        context.fireErrorCaught(error)
    }

    // MARK: Refusals

    enum Refusal: String {
        case tooManyConnections = "too_many_connections"
        case headerTimeout = "header_timeout"
        case bodyTimeout = "body_timeout"
        case headerTooLarge = "header_too_large"

        var status: HTTPResponse.Status {
            switch self {
            case .tooManyConnections: .serviceUnavailable
            case .headerTimeout, .bodyTimeout: .requestTimeout
            case .headerTooLarge: .requestHeaderFieldsTooLarge
            }
        }

        func message(_ limits: HTTPLimits) -> String {
            switch self {
            case .tooManyConnections: "the server has \(limits.maximumConnections) open connections (PAKA_HTTP_MAX_CONNECTIONS); retry shortly"
            case .headerTimeout: "request headers were not complete within \(limits.headerTimeoutMilliseconds) ms (PAKA_HTTP_HEADER_TIMEOUT_MS)"
            case .bodyTimeout: "request body stalled for \(limits.bodyTimeoutMilliseconds) ms (PAKA_HTTP_BODY_TIMEOUT_MS)"
            case .headerTooLarge: "request headers are larger than \(limits.maximumHeaderBytes) bytes (PAKA_HTTP_MAX_HEADER_BYTES)"
            }
        }
    }

    private func arm(_ refusal: Refusal, after milliseconds: Int64) {
        timer?.cancel()
        guard let context else { return }
        timer = context.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) { [weak self] in
            self?.timedOut(refusal)
        }
    }

    private func timedOut(_ refusal: Refusal) {
        guard phase == .head || phase == .body, let context else { return }
        if responseStarted {
            // The application already answered; only the rest of the body is missing.
            counter.metrics.refusedConnection(reason: refusal.rawValue)
            phase = .refused
            context.close(promise: nil)
        } else {
            refuse(context, refusal)
        }
    }

    private func refuse(_ context: ChannelHandlerContext, _ refusal: Refusal) {
        phase = .refused
        timer?.cancel()
        counter.metrics.refusedConnection(reason: refusal.rawValue)
        let body = JSONValue.object(["ok": .bool(false), "error": .string(refusal.message(counter.limits))]).jsonBytes
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8", .connection: "close",
                                  .contentLength: String(body.count)]
        if refusal == .tooManyConnections { fields[.retryAfter] = "1" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: refusal.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
