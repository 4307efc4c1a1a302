/// Runs `body` over `items` with at most `limit` tasks at once and returns the results in input
/// order. The first error cancels the remaining work and is rethrown.
func parallelMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async throws(CollectStaticError) -> Result
) async throws(CollectStaticError) -> [Result] {
    var results = [Result?](repeating: nil, count: items.count)
    try await parallelForEach(items.count, limit: limit) { index throws(CollectStaticError) in
        try await body(items[index])
    } collect: { index, result in
        results[index] = result
    }
    return results.map { $0! }
}

/// Runs `body` for each index in `0..<count` with at most `limit` tasks at once, and hands each
/// result to `collect` (on the calling task, one at a time, in the order they finish) as soon as it
/// is made: the caller keeps what it needs where it needs it, and no list of every result is
/// made. The first error cancels the remaining work and is rethrown.
func parallelForEach<Result: Sendable>(
    _ count: Int, limit: Int, _ body: @escaping @Sendable (Int) async throws(CollectStaticError) -> Result,
    collect: (Int, Result) -> Void
) async throws(CollectStaticError) {
    do {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var next = 0
            func start() {
                let index = next
                next += 1
                group.addTask { (index, try await body(index)) }
            }
            while next < count && next < max(1, limit) { start() }
            while let (index, result) = try await group.next() {
                collect(index, result)
                if next < count { start() }
            }
        }
    } catch let error as CollectStaticError {
        throw error
    } catch {
        throw .output(path: "", reason: "\(error)")
    }
}
