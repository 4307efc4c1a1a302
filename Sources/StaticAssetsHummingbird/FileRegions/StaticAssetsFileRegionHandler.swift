import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Lets ``StaticAssetsMiddleware`` send file bodies as NIO `FileRegion`s: the kernel copies the file
/// to the socket (`sendfile`), no read into buffers. Install it in the server's HTTP/1 channel, one
/// call when the application is made:
///
/// ```swift
/// let app = Application(
///     router: router,
///     server: .http1(configuration: .init(additionalChannelHandlers: [StaticAssetsFileRegionHandler()])))
/// ```
///
/// The middleware uses file regions only on a connection whose pipeline has this handler and whose
/// bytes are plain HTTP (no TLS in the process: a TLS handler needs the bytes to encrypt them); on any
/// other connection, and without the handler, it reads the file in chunks as before. Headers, status,
/// ranges, HEAD and 304 are the same either way (a HEAD or 304 has no body, so no region); the region
/// is a new descriptor of the file the responder opened, so the bytes are those of the release the
/// fields describe even when the path is replaced before or while they are sent.
///
/// How: on each request head the handler adds a private field with its connection's token (removing
/// any the client sent); the middleware, finding a token of an open connection, hands the region over
/// and answers with an empty body and a private field naming it; the handler removes that field,
/// writes the head and then the region to NIOHTTP1's encoder, and closes the region's descriptor when
/// the write completes or fails (or, never written, when the connection closes).
public final class StaticAssetsFileRegionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    let counter: FileRegionCounter?
    private var connection: FileRegionConnection?
    /// The context of `HTTP1ToHTTPServerCodec`: what is written from it goes to `HTTPResponseEncoder`,
    /// which takes `IOData` bodies, file regions included.
    private var encoderSide: ChannelHandlerContext?
    private var probe: PlaintextProbe?

    /// - Parameter counter: counts the regions written (and their bytes), if given.
    public init(counter: FileRegionCounter? = nil) {
        self.counter = counter
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        // Only behind Hummingbird's HTTP/1 codec; anywhere else (HTTP/2 streams) the middleware reads chunks.
        guard let codec = try? pipeline.context(handlerType: HTTP1ToHTTPServerCodec.self) else { return }
        let probe = PlaintextProbe()
        guard (try? pipeline.addHandler(probe, position: .first)) != nil else { return }
        self.probe = probe
        self.encoderSide = codec
        self.connection = FileRegionConnections.open()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    private func release() {
        if let connection { FileRegionConnections.close(connection) }
        connection = nil
        encoderSide = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        head.headerFields[FileRegionFields.connection] = nil
        if let connection, probe?.isPlaintext == true {
            head.headerFields[FileRegionFields.connection] = connection.token
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), let marker = head.headerFields[FileRegionFields.region]
        else {
            context.write(data, promise: promise)
            return
        }
        head.headerFields[FileRegionFields.region] = nil
        context.write(wrapOutboundOut(.head(head)), promise: promise)
        guard let encoderSide, let id = UInt64(marker), let region = connection?.take(id) else {
            // A region this connection does not hold: the body the head announced cannot follow.
            context.close(promise: nil)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        let counter = self.counter
        let count = region.readableBytes
        written.futureResult.whenComplete { result in
            try? region.fileHandle.close()
            if case .success = result { counter?.add(bytes: count) }
        }
        encoderSide.write(NIOAny(HTTPServerResponsePart.body(.fileRegion(region))), promise: written)
    }
}
