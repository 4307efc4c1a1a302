import CollectStatic
import Foundation
import Synchronization
import Testing

@testable import CollectStaticCLI

/// The progress line and when it is shown, with a clock the test moves.
@Suite struct ProgressDisplayTests {
    static func progress(
        _ phase: CollectionProgress.Phase, files: Int, of totalFiles: Int?, bytes: Int, of totalBytes: Int?,
        worked: Int? = nil, workedFiles: Int? = nil, finished: Bool = false
    ) -> CollectionProgress {
        var progress = CollectionProgress(phase: phase, totalFiles: totalFiles, totalBytes: totalBytes)
        progress.files = files
        progress.bytes = bytes
        progress.workedBytes = worked ?? bytes
        progress.workedFiles = workedFiles ?? files
        progress.isFinished = finished
        return progress
    }

    @Test func timeLeftComesFromBytesOfCompressionLeftNotFromTheCount() {
        // The largest contents go first: after 10 s, 2 of 2,439 files but 10 of 60 MB are done.
        let early = Self.progress(.compressing, files: 2, of: 2_439, bytes: 10_000_000, of: 60_000_000)
        #expect(
            ProgressLine.running(early, elapsed: 10)
                == "Compressing 2/2,439 files, 10.0/60.0 MB, 1.0 MB/s, 50 s left")
        // Near the end by count, not by bytes: the time left still follows the bytes.
        let late = Self.progress(.compressing, files: 2_400, of: 2_439, bytes: 30_000_000, of: 60_000_000)
        #expect(
            ProgressLine.running(late, elapsed: 60)
                == "Compressing 2,400/2,439 files, 30.0/60.0 MB, 500.0 KB/s, 1:00 left")
        // Reused variants count as done but not as work: the rate is of the real work.
        let reused = Self.progress(
            .compressing, files: 100, of: 200, bytes: 2_000_000, of: 4_000_000, worked: 1_000_000, workedFiles: 50)
        #expect(ProgressLine.running(reused, elapsed: 2).hasSuffix("2.0/4.0 MB, 500.0 KB/s, 4.0 s left"))
        // No rate yet: no guess.
        let start = Self.progress(.compressing, files: 0, of: 10, bytes: 0, of: 5_000)
        #expect(ProgressLine.running(start, elapsed: 3) == "Compressing 0/10 files, 0 B/5.0 KB")
    }

    @Test func otherPhasesCountFilesAndBytes() {
        let finding = Self.progress(.finding, files: 1_234, of: nil, bytes: 5_600_000, of: nil)
        #expect(ProgressLine.running(finding, elapsed: 0.3) == "Finding 1,234 files, 5.6 MB")
        let hashing = Self.progress(.hashing, files: 10, of: 20, bytes: 900_000, of: 1_200_000)
        #expect(ProgressLine.running(hashing, elapsed: 0.5) == "Hashing 10/20 files, 900.0 KB/1.2 MB, 1.8 MB/s")
        let copied = Self.progress(
            .copying, files: 2_890, of: 2_890, bytes: 58_900_000, of: 58_900_000, worked: 1_200_000, workedFiles: 12,
            finished: true)
        #expect(
            ProgressLine.finished(copied, elapsed: 0.4)
                == "Copied 12 files (1.2 MB) in 0.4 s, 3.0 MB/s; 2,878 unmodified")
        #expect(ProgressLine.duration(3_723) == "1:02:03")
        #expect(ProgressLine.bytes(999) == "999 B")
        #expect(ProgressLine.bytes(1_500_000_000) == "1.5 GB")
    }

    /// An observer writing into a buffer, with a clock in seconds the test sets.
    final class Harness: Sendable {
        final class Sink: Sendable {
            let clock = Mutex<Double>(0)
            let text = Mutex("")
        }
        let sink = Sink()
        let observer: ConsoleObserver

        init(terminal: Bool, verbosity: Int = 1) {
            let sink = self.sink
            observer = ConsoleObserver(
                verbosity: verbosity, isTerminal: terminal, plainInterval: 10,
                now: { UInt64(sink.clock.withLock { $0 } * 1e9) + 1 },
                output: { line in sink.text.withLock { $0 += line } })
        }

        func at(_ seconds: Double, _ progress: CollectionProgress) {
            sink.clock.withLock { $0 = seconds }
            observer.handle(.progress(progress))
        }

        var output: String { sink.text.withLock { $0 } }
    }

    @Test func withoutATerminalALongPhaseGetsALineEveryTenSecondsAndAResult() {
        let harness = Harness(terminal: false)
        let total = 60_000_000
        harness.at(0, Self.progress(.compressing, files: 0, of: 100, bytes: 0, of: total))
        harness.at(5, Self.progress(.compressing, files: 1, of: 100, bytes: 5_000_000, of: total))
        #expect(harness.output == "")
        harness.at(11, Self.progress(.compressing, files: 2, of: 100, bytes: 11_000_000, of: total))
        harness.at(15, Self.progress(.compressing, files: 3, of: 100, bytes: 15_000_000, of: total))
        harness.at(22, Self.progress(.compressing, files: 4, of: 100, bytes: 22_000_000, of: total))
        harness.at(60, Self.progress(.compressing, files: 100, of: 100, bytes: total, of: total, finished: true))
        #expect(
            harness.output == """
                Compressing 2/100 files, 11.0/60.0 MB, 1.0 MB/s, 49 s left
                Compressing 4/100 files, 22.0/60.0 MB, 1.0 MB/s, 38 s left
                Compressed 100 files (60.0 MB) in 1:00, 1.0 MB/s

                """)
    }

    @Test func aQuickPhaseLeavesNoResultLine() {
        for terminal in [true, false] {
            let harness = Harness(terminal: terminal)
            harness.at(0, Self.progress(.copying, files: 0, of: 2, bytes: 0, of: 2_000))
            harness.at(0.9, Self.progress(.copying, files: 2, of: 2, bytes: 2_000, of: 2_000, finished: true))
            harness.observer.finish()
            #expect(!harness.output.contains("Copied"))
            #expect(!harness.output.contains("\n"))
        }
    }

    @Test func withoutATerminalANothingChangedRunPrintsNothing() {
        let harness = Harness(terminal: false)
        harness.at(0, Self.progress(.finding, files: 0, of: nil, bytes: 0, of: nil))
        harness.at(0.1, Self.progress(.finding, files: 5, of: 5, bytes: 500, of: 500, finished: true))
        harness.at(0.2, Self.progress(.hashing, files: 5, of: 5, bytes: 500, of: 500, finished: true))
        harness.at(0.3, Self.progress(.copying, files: 5, of: 5, bytes: 1_000, of: 1_000, worked: 0, workedFiles: 0))
        harness.at(0.4, Self.progress(.compressing, files: 8, of: 8, bytes: 900, of: 900, worked: 0, workedFiles: 0))
        #expect(harness.output == "")
    }

    @Test func onATerminalTheLineIsRedrawnAtMostTenTimesASecond() {
        let harness = Harness(terminal: true)
        harness.at(0, Self.progress(.copying, files: 0, of: 3, bytes: 0, of: 3_000))
        harness.at(0.05, Self.progress(.copying, files: 1, of: 3, bytes: 1_000, of: 3_000))
        harness.at(0.15, Self.progress(.copying, files: 2, of: 3, bytes: 2_000, of: 3_000, worked: 0, workedFiles: 0))
        // A new phase is drawn at once.
        harness.at(0.16, Self.progress(.compressing, files: 0, of: 2, bytes: 0, of: 2_000))
        #expect(
            harness.output
                == "\r\u{1B}[KCopying 0/3 files, 0 B/3.0 KB\r\u{1B}[KCopying 2/3 files, 2.0/3.0 KB"
                + "\r\u{1B}[KCompressing 0/2 files, 0 B/2.0 KB")
        harness.observer.finish()
        #expect(harness.output.hasSuffix("\r\u{1B}[K"))
    }

    @Test func verbosityZeroShowsNoProgress() {
        for terminal in [true, false] {
            let harness = Harness(terminal: terminal, verbosity: 0)
            harness.at(0, Self.progress(.compressing, files: 0, of: 2, bytes: 0, of: 2_000))
            harness.at(20, Self.progress(.compressing, files: 2, of: 2, bytes: 2_000, of: 2_000, finished: true))
            harness.observer.finish()
            #expect(harness.output == "")
        }
    }
}
