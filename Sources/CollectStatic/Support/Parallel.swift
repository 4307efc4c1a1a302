import Synchronization

/// Runs `body` over `items` with at most `limit` tasks at once and returns the results in input
/// order. The first error cancels the remaining work and is rethrown.
func parallelMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async throws(CollectStaticError) -> Result
) async throws(CollectStaticError) -> [Result] {
    do {
        return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: items.count)
            var next = 0
            func start() {
                let index = next
                let item = items[index]
                next += 1
                group.addTask { (index, try await body(item)) }
            }
            while next < items.count && next < max(1, limit) { start() }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < items.count { start() }
            }
            return results.map { $0! }
        }
    } catch let error as CollectStaticError {
        throw error
    } catch {
        throw .output(path: "", reason: "\(error)")
    }
}

/// Counts finished units of a stage from many tasks and reports them to the observer.
final class ProgressCounter: Sendable {
    private let done = Mutex(0)
    let phase: String
    let total: Int
    let observer: any CollectionObserver

    init(_ phase: String, total: Int, observer: any CollectionObserver) {
        self.phase = phase
        self.total = total
        self.observer = observer
        if total > 0 { observer.handle(.progress(phase: phase, done: 0, total: total)) }
    }

    func advance() {
        let value = done.withLock { count -> Int in
            count += 1
            return count
        }
        observer.handle(.progress(phase: phase, done: value, total: total))
    }
}
