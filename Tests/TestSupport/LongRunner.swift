import Testing

/// Tests that block their thread for a long time (waiting on real processes: the crash test, Django,
/// gunicorn) run one at a time. Swift Testing runs synchronous tests on the threads of Swift's
/// cooperative pool, which has one thread per core; two such tests at once on a 2-core machine would
/// leave none for the in-process HTTP servers of other tests. Waiting for a turn blocks no thread.
public struct LongRunner: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        await LongRunnerTurns.shared.enter()
        do {
            try await function()
        } catch {
            await LongRunnerTurns.shared.leave()
            throw error
        }
        await LongRunnerTurns.shared.leave()
    }
}

extension Trait where Self == LongRunner {
    /// One long-blocking test at a time, across suites.
    public static var longRunner: Self { LongRunner() }
}

/// Hands out turns in arrival order.
actor LongRunnerTurns {
    static let shared = LongRunnerTurns()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
