import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Notices a new release under a resolver's manifest path and swaps it in
/// (``AssetResolver/reloadIfChanged()``): woken at once by inotify on Linux (events in STATIC_ROOT
/// and in the folder that holds it: an exchange, a re-pointed symlink, a manifest replaced in place),
/// and every `interval` in any case (a `stat` of the folder and of the manifest).
///
/// One thread, blocked in `poll(2)` between checks; `stop` wakes it through a pipe. It holds the
/// resolver weakly: when the resolver goes, the thread ends and its descriptors are closed. Made by
/// ``AssetResolver/watchForReleases(every:report:)``.
public final class ReleaseWatcher: Sendable {
    private let channel: WakeChannel
    private let finished: Finished

    init(
        resolver: AssetResolver, source: ReleaseSource, interval: Duration, inotify: Bool,
        report: @escaping @Sendable (AssetResolver.ReloadOutcome) -> Void
    ) {
        let channel = WakeChannel(inotify: inotify)
        let finished = Finished()
        self.channel = channel
        self.finished = finished
        let seconds = interval.components
        let milliseconds = seconds.seconds * 1000 + seconds.attoseconds / 1_000_000_000_000_000
        let timeout = Int32(clamping: max(1, milliseconds))
        // Watches in place before this returns: a change made from now on raises an event.
        var initial = Watches()
        initial.update(channel, source)
        let thread = Thread { [weak resolver, initial] in
            defer {
                channel.close()
                finished.signal()
            }
            var watches = initial
            var lastFailure: ManifestError?
            var again = false
            while again || channel.wait(milliseconds: timeout) {
                again = false
                guard let resolver else { return }
                let outcome = resolver.reloadIfChanged()
                switch outcome {
                case .unchanged:
                    continue
                case .reloaded:
                    lastFailure = nil
                    report(outcome)
                    // Once more after the watch moved to the new folder: a change made before
                    // it was in place raised no event there.
                    again = true
                case .failed(let problem):
                    if problem != lastFailure { report(outcome) }
                    lastFailure = problem
                }
                watches.update(channel, source)
            }
        }
        thread.name = "StaticAssets.ReleaseWatcher"
        thread.start()
    }

    deinit { channel.wake() }

    /// Ends the watch; with `wait`, returns once its thread has ended (at most a few seconds).
    func stop(wait: Bool) {
        channel.wake()
        if wait { finished.wait() }
    }

    /// The default report: a failed reload as one line on stderr (each different failure once).
    public static let reportFailures: @Sendable (AssetResolver.ReloadOutcome) -> Void = { outcome in
        guard case .failed(let problem) = outcome else { return }
        FileHandle.standardError.write(
            Data("StaticAssets: still serving the previous release: \(problem)\n".utf8))
    }

    /// The inotify watches (Linux): the folder holding STATIC_ROOT, and the folder STATIC_ROOT
    /// resolves to now (moved to the new one after each switch).
    private struct Watches: Sendable {
        var root: Int32 = -1
        var parent: Int32 = -1

        mutating func update(_ channel: WakeChannel, _ source: ReleaseSource) {
            #if os(Linux)
                guard channel.inotify >= 0 else { return }
                let mask = UInt32(
                    IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF
                        | IN_MOVE_SELF)
                if parent < 0 {
                    let folder = URL(fileURLWithPath: source.root).deletingLastPathComponent().path
                    parent = inotify_add_watch(channel.inotify, folder, mask | UInt32(IN_DONT_FOLLOW))
                }
                let now = inotify_add_watch(channel.inotify, source.root, mask)
                if root >= 0 && now != root { inotify_rm_watch(channel.inotify, root) }
                root = now
            #endif
        }
    }
}

/// The descriptors a watcher's thread waits on: a pipe that `wake()` writes to, and (Linux) an
/// inotify instance. The thread closes them when it ends (`wake()` afterwards does nothing, so it
/// never writes to a descriptor number since reused).
private final class WakeChannel: Sendable {
    let inotify: Int32
    private let pipeRead: Int32
    private let pipeWrite: Int32
    private let closed = Mutex(false)

    init(inotify useInotify: Bool) {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) != 0 { ends = [-1, -1] }
        for end in ends where end >= 0 { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        #if os(Linux)
            inotify = useInotify ? inotify_init1(O_CLOEXEC | O_NONBLOCK) : -1
        #else
            inotify = -1
        #endif
        pipeRead = ends[0]
        pipeWrite = ends[1]
    }

    deinit { close() }

    /// Closes every descriptor (once); called by the watcher's thread as it ends.
    func close() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            for fd in [inotify, pipeRead, pipeWrite] where fd >= 0 { systemClose(fd) }
        }
    }

    func wake() {
        closed.withLock { closed in
            guard !closed, pipeWrite >= 0 else { return }
            var byte: UInt8 = 1
            _ = write(pipeWrite, &byte, 1)
        }
    }

    /// Waits until an inotify event or `milliseconds` have passed (true: check now), or until
    /// `wake()` (false: stop).
    func wait(milliseconds: Int32) -> Bool {
        var fds = [pollfd(fd: pipeRead, events: Int16(POLLIN), revents: 0)]
        if inotify >= 0 { fds.append(pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)) }
        while true {
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready < 0 && errno == EINTR { continue }
            if pipeRead < 0 || fds[0].revents != 0 { return false }
            if ready > 0 { drainEvents() }
            return true
        }
    }

    private func drainEvents() {
        guard inotify >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(inotify, $0.baseAddress, $0.count) }) > 0 {}
    }
}

/// Signalled once when a watcher's thread ends.
private final class Finished: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let done = Mutex(false)

    func signal() {
        done.withLock { $0 = true }
        semaphore.signal()
    }

    /// Waits for `signal()`, at most 5 seconds (a thread stuck in a report callback does not hang `stop`).
    func wait() {
        if done.withLock({ $0 }) { return }
        _ = semaphore.wait(timeout: .now() + 5)
    }
}
