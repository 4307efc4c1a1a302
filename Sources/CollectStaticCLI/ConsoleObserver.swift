import CollectStatic
import Foundation
import Synchronization

/// Shows a run on stderr with Django's verbosity levels.
///
/// - 0: nothing but errors.
/// - 1: progress. On a terminal one line, redrawn at most ten times a second from the first event
///   on (finding, hashing, copying, compressing); a copying or compressing phase that did real work
///   for at least `resultThreshold` seconds leaves its result line (`Compressed 2,400 files …`), the
///   rest is erased. Without a terminal (CI, Docker) only those result lines, plus the running line
///   every `plainInterval` seconds of a long phase. A run where nothing changed, or that was quick,
///   prints nothing here: only the summary on stdout.
/// - 2: also every file copied, skipped (not modified), post-processed, compressed or deleted, in
///   Django's words ("Pretending to …" in a dry run), and what was fetched from a shared cache in
///   how long (`Fetched 2,325 entries (4,397 files) from the shared cache in 21 s`).
/// - 3: also debug lines (how many files were found).
final class ConsoleObserver: CollectionObserver {
    let verbosity: Int
    let isTerminal: Bool
    let dryRun: Bool
    /// Seconds between running lines without a terminal.
    let plainInterval: Double
    /// A phase that did work for at least this long leaves a result line.
    let resultThreshold: Double
    private let now: @Sendable () -> UInt64
    private let output: @Sendable (String) -> Void

    private struct State {
        /// Start of each phase, in nanoseconds of `now`.
        var phaseStart: [CollectionProgress.Phase: UInt64] = [:]
        /// When the running line was last drawn (terminal) or printed (no terminal).
        var lastShown: UInt64 = 0
        /// A half-drawn progress line is on the terminal.
        var drawn = false
    }
    private let state = Mutex(State())

    init(
        verbosity: Int, isTerminal: Bool, dryRun: Bool = false, plainInterval: Double = 10, resultThreshold: Double = 1,
        now: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds },
        output: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.verbosity = verbosity
        self.isTerminal = isTerminal
        self.dryRun = dryRun
        self.plainInterval = plainInterval
        self.resultThreshold = resultThreshold
        self.now = now
        self.output = output
    }

    func handle(_ event: CollectionEvent) {
        switch event {
        case .progress(let progress) where verbosity >= 1:
            show(progress)
        case .found(let count) where verbosity >= 3:
            line("Found \(count) files")
        case .shadowed(let asset) where verbosity >= 2:
            line(
                "Found another file with the destination path '\(asset.logicalPath)'. It will be ignored since only the first encountered file is collected. If this is not what you want, make sure every static file has a unique path. (\(asset.filePath))"
            )
        case .copied(let name) where verbosity >= 2:
            line(dryRun ? "Pretending to copy '\(name)'" : "Copying '\(name)'")
        case .unmodified(let name) where verbosity >= 2:
            line("Skipping '\(name)' (not modified)")
        case .postProcessed(let original, let hashed) where verbosity >= 2:
            line(
                dryRun
                    ? "Pretending to post-process '\(original)' as '\(hashed)'"
                    : "Post-processed '\(original)' as '\(hashed)'")
        case .compressed(let name, let reused) where verbosity >= 2:
            if reused {
                line("Reusing the compressed variants of '\(name)'")
            } else {
                line(dryRun ? "Pretending to compress '\(name)'" : "Compressed '\(name)'")
            }
        case .fetchedFromSharedCache(let fetch) where verbosity >= 2:
            line(
                "Fetched \(ProgressLine.count(fetch.records)) entries (\(ProgressLine.count(fetch.files)) files) from the shared cache in \(ProgressLine.duration(fetch.seconds))"
            )
        case .deleted(let name) where verbosity >= 2:
            line(dryRun ? "Pretending to delete '\(name)'" : "Deleting '\(name)'")
        case .warning(let message) where verbosity >= 1:
            line("warning: \(message)")
        case .waitingForLock(let pid, let lockFile) where verbosity >= 1:
            let holder = pid.map { "the run with PID \($0)" } ?? "another run"
            line("Waiting for \(holder) to finish (lock file \(lockFile))...")
        case .memoryLetGo:
            MemoryPolicy.returnFreed()
        default:
            break
        }
    }

    private func show(_ progress: CollectionProgress) {
        let time = now()
        state.withLock { state in
            let start = state.phaseStart[progress.phase] ?? time
            if state.phaseStart[progress.phase] == nil {
                state.phaseStart[progress.phase] = time
                // A new phase shows at once, as does the very first event.
                state.lastShown = 0
            }
            let elapsed = Double(time - start) / 1e9
            let didWork =
                progress.workedBytes + progress.workedFiles > 0
                && (progress.phase == .copying || progress.phase == .compressing)
                && elapsed >= resultThreshold
            if progress.isFinished {
                if didWork {
                    let result = ProgressLine.finished(progress, elapsed: elapsed)
                    output((isTerminal ? "\r\u{1B}[K" : "") + result + "\n")
                    state.drawn = false
                } else if isTerminal {
                    output("\r\u{1B}[K" + ProgressLine.running(progress, elapsed: elapsed))
                    state.drawn = true
                }
                return
            }
            if isTerminal {
                guard state.lastShown == 0 || time - state.lastShown >= 100_000_000 else { return }
                state.lastShown = max(time, 1)
                output("\r\u{1B}[K" + ProgressLine.running(progress, elapsed: elapsed))
                state.drawn = true
            } else {
                let interval = UInt64(plainInterval * 1e9)
                let since = state.lastShown == 0 ? start : state.lastShown
                guard time - since >= interval else { return }
                state.lastShown = time
                output(ProgressLine.running(progress, elapsed: elapsed) + "\n")
            }
        }
    }

    /// Ends a half-drawn progress line before the summary or an error.
    func finish() {
        state.withLock { state in
            if isTerminal && state.drawn { output("\r\u{1B}[K") }
            state.drawn = false
        }
    }

    /// A whole line; on a terminal it replaces the progress line, which the next event redraws.
    private func line(_ text: String) {
        state.withLock { state in
            output((isTerminal && state.drawn ? "\r\u{1B}[K" : "") + text + "\n")
            state.drawn = false
        }
    }
}
