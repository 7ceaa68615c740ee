import NIOCore

/// Sits in front of the HTTP decoder and tells the connection's `ConnectionGuard` that bytes
/// arrived: only raw bytes show that a client has *started* a request it is slow to finish
/// (the decoder says nothing until the headers are complete).
final class ReadActivityMarker: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Set by the guard that added this handler; both live on the channel's event loop.
    weak var guardian: ConnectionGuard?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guardian?.bytesArrived()
        context.fireChannelRead(data)
    }
}
