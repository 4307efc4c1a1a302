import Synchronization

/// Counts the finished files and bytes of one phase from many tasks and reports every step to the
/// observer, in order (the observer throttles what it draws). A phase with known totals finishes
/// when both are reached (files may count only some units: copying counts the originals, as Django
/// does, and the bytes of every file placed); one without (finding) finishes with `finish()`.
final class ProgressCounter: Sendable {
    private let state: Mutex<CollectionProgress>
    let observer: any CollectionObserver

    init(
        _ phase: CollectionProgress.Phase, totalFiles: Int? = nil, totalBytes: Int? = nil,
        observer: any CollectionObserver
    ) {
        let start = CollectionProgress(phase: phase, totalFiles: totalFiles, totalBytes: totalBytes)
        self.state = Mutex(start)
        self.observer = observer
        if totalFiles != 0 || (totalBytes ?? 0) != 0 { observer.handle(.progress(start)) }
    }

    /// `files` more files of `bytes` bytes are done; `worked` is false when they were already in
    /// place or reused.
    func advance(files: Int = 1, bytes: Int, worked: Bool = true) {
        state.withLock { progress in
            guard !progress.isFinished else { return }
            progress.files += files
            progress.bytes += bytes
            if worked {
                progress.workedFiles += files
                progress.workedBytes += bytes
            }
            if let totalFiles = progress.totalFiles, progress.files >= totalFiles,
                progress.bytes >= progress.totalBytes ?? 0
            {
                progress.isFinished = true
            }
            observer.handle(.progress(progress))
        }
    }

    /// Ends a phase whose totals were not known in advance; they are what was counted.
    func finish() {
        state.withLock { progress in
            guard !progress.isFinished else { return }
            progress.isFinished = true
            progress.totalFiles = progress.files
            progress.totalBytes = progress.bytes
            observer.handle(.progress(progress))
        }
    }
}
