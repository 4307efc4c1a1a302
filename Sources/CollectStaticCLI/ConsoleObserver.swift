import CollectStatic
import Foundation
import Synchronization

/// Shows a run on stderr: a redrawn progress line on a terminal, plain lines without one (CI,
/// Docker), and per-file lines at verbosity 2 with Django's wording.
final class ConsoleObserver: CollectionObserver {
    let verbosity: Int
    let isTerminal: Bool
    private let state = Mutex<(lastDraw: UInt64, drawn: Bool)>((0, false))

    init(verbosity: Int, isTerminal: Bool) {
        self.verbosity = verbosity
        self.isTerminal = isTerminal
    }

    func handle(_ event: CollectionEvent) {
        switch event {
        case .found(let count) where verbosity >= 2:
            line("Found \(count) files")
        case .shadowed(let asset) where verbosity >= 2:
            line(
                "Found another file with the destination path '\(asset.logicalPath)'. It will be ignored since only the first encountered file is collected. If this is not what you want, make sure every static file has a unique path. (\(asset.filePath))"
            )
        case .copied(let name) where verbosity >= 2:
            line("Copying '\(name)'")
        case .unmodified(let name) where verbosity >= 3:
            line("Skipping '\(name)' (not modified)")
        case .postProcessed(let original, let hashed) where verbosity >= 2:
            line("Post-processed '\(original)' as '\(hashed)'")
        case .deleted(let name) where verbosity >= 2:
            line("Deleting '\(name)'")
        case .warning(let message) where verbosity >= 1:
            line("warning: \(message)")
        case .waitingForLock(let pid, let lockFile) where verbosity >= 1:
            let holder = pid.map { "the run with PID \($0)" } ?? "another run"
            line("Waiting for \(holder) to finish (lock file \(lockFile))...")
        case .progress(let phase, let done, let total) where verbosity >= 1:
            progress(phase, done, total)
        default:
            break
        }
    }

    private func progress(_ phase: String, _ done: Int, _ total: Int) {
        if isTerminal {
            let now = DispatchTime.now().uptimeNanoseconds
            let draw = state.withLock { state -> Bool in
                guard done == total || now - state.lastDraw > 100_000_000 else { return false }
                state.lastDraw = now
                state.drawn = true
                return true
            }
            if draw { write("\r\u{1B}[K\(phase) \(done)/\(total)" + (done == total ? "\n" : "")) }
        } else if done == total {
            write("\(phase): \(total)\n")
        }
    }

    /// Ends a half-drawn progress line before normal output.
    func finish() {
        let drawn = state.withLock { state -> Bool in
            defer { state.drawn = false }
            return state.drawn
        }
        if isTerminal && drawn { write("\r\u{1B}[K") }
    }

    private func line(_ text: String) {
        write((isTerminal ? "\r\u{1B}[K" : "") + text + "\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
