import Synchronization

/// How many file bodies a ``StaticAssetsFileRegionHandler`` handed to the kernel as file regions
/// (`sendfile`), and their bytes: give one counter to the handlers of a server to see that the path is
/// taken (a test, a metric).
public final class FileRegionCounter: Sendable {
    private let state = Mutex((regions: 0, bytes: 0))

    public init() {}

    /// Regions written to the socket completely.
    public var regions: Int { state.withLock { $0.regions } }
    /// Their bytes.
    public var bytes: Int { state.withLock { $0.bytes } }

    func add(bytes: Int) {
        state.withLock {
            $0.regions += 1
            $0.bytes += bytes
        }
    }
}
