import Hummingbird
import NIOCore
import Synchronization

/// What a connection's ``StaticAssetsFileRegionHandler`` and the middleware share: the connection's
/// token (the handler puts it in a request field the middleware reads) and the file regions the
/// middleware has handed over for responses the handler has not written yet.
final class FileRegionConnection: Sendable {
    /// 128 random bits: a request field naming a connection the client does not own finds nothing.
    let token: String
    private let state = Mutex(State())

    private struct State {
        var nextID: UInt64 = 0
        var pending: [UInt64: FileRegion] = [:]
        var isOpen = true
    }

    init() {
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        token = hex(.random(in: .min ... .max)) + hex(.random(in: .min ... .max))
    }

    /// Takes `region` for the handler to write; the id the response names in ``FileRegionFields/region``.
    /// Nil once the connection is closed: the caller keeps the region and closes its file.
    func handOver(_ region: FileRegion) -> UInt64? {
        state.withLock { state in
            guard state.isOpen else { return nil }
            state.nextID &+= 1
            state.pending[state.nextID] = region
            return state.nextID
        }
    }

    /// The region handed over as `id`, removed from the connection.
    func take(_ id: UInt64) -> FileRegion? {
        state.withLock { $0.pending.removeValue(forKey: id) }
    }

    /// Closes the connection to new regions and returns those never written (their files to close).
    func close() -> [FileRegion] {
        state.withLock { state in
            state.isOpen = false
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
    }
}

/// The open connections whose pipeline has a ``StaticAssetsFileRegionHandler`` that may write file regions.
enum FileRegionConnections {
    private static let all = Mutex<[String: FileRegionConnection]>([:])

    static func open() -> FileRegionConnection {
        let connection = FileRegionConnection()
        all.withLock { $0[connection.token] = connection }
        return connection
    }

    static func connection(token: String) -> FileRegionConnection? {
        all.withLock { $0[token] }
    }

    /// Forgets the connection and closes the files of the regions it never wrote.
    static func close(_ connection: FileRegionConnection) {
        _ = all.withLock { $0.removeValue(forKey: connection.token) }
        for region in connection.close() { try? region.fileHandle.close() }
    }
}

/// The two private fields between the handler and the middleware; neither reaches the wire.
enum FileRegionFields {
    /// On a request: the connection's token, set by the handler (any value the client sent is removed).
    static let connection = HTTPField.Name("X-Static-Assets-Connection")!
    /// On a response: the id of the region the handler writes as the body (removed by the handler).
    static let region = HTTPField.Name("X-Static-Assets-File-Region")!
}
