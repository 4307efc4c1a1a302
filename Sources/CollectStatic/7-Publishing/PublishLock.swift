import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One run per STATIC_ROOT at a time: an exclusive `flock(2)` on a lock file beside the tree. The
/// kernel drops the lock when its holder exits, however it exits, so a lock left by a killed run
/// never blocks the next one. The holder writes its PID into the file so a waiting run can name it.
final class PublishLock: Sendable {
    let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Takes the lock, waiting up to `timeout` seconds for a run that holds it (telling `observer`
    /// once whom it waits for).
    static func acquire(_ path: String, timeout: Double, observer: any CollectionObserver) throws(CollectStaticError)
        -> PublishLock
    {
        try FileSystem.makeDirectories((path as NSString).deletingLastPathComponent)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .output(path: path, reason: "cannot open lock file: \(FileSystem.lastError)")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                let reason = FileSystem.lastError
                close(descriptor)
                throw .output(path: path, reason: "cannot lock: \(reason)")
            }
            // The holder writes its PID right after it takes the lock: give it that moment.
            var holder = holderPID(descriptor)
            for _ in 0..<40 where holder == nil {
                usleep(5_000)
                holder = holderPID(descriptor)
            }
            observer.handle(.waitingForLock(pid: holder, lockFile: path))
            let deadline = Date().addingTimeInterval(timeout)
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                guard Date() < deadline else {
                    close(descriptor)
                    throw .locked(lockFile: path, pid: holder, waited: timeout)
                }
                usleep(50_000)
            }
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return PublishLock(path: path, descriptor: descriptor)
    }

    /// Releases the lock (the file stays: removing it would let two runs lock two different files).
    func release() {
        close(descriptor)
    }

    private static func holderPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
