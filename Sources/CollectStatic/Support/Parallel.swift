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
