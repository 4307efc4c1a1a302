import NIOCore

/// Sits first in the pipeline (next to the socket) until the connection's first bytes arrive, and
/// says whether they are plain HTTP: a request line starts with a method, an upper-case token, where a
/// TLS connection starts with a handshake record (0x16). Only a plain connection may carry file
/// regions: a TLS handler between the HTTP encoder and the socket has to see the bytes to encrypt them
/// (NIOSSL stops the process on a `FileRegion`). Removes itself after the first read.
final class PlaintextProbe: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Nil until the first bytes arrive.
    private(set) var isPlaintext: Bool?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if isPlaintext == nil {
            let bytes = unwrapInboundIn(data)
            if let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) {
                isPlaintext = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first)
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
        }
        context.fireChannelRead(data)
    }
}
