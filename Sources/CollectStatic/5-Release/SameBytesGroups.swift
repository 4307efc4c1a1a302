/// Indices of files grouped by identical bytes, as one flat list (no array per group): each group in
/// the plan's order, groups largest first so that a big file never starts last.
struct SameBytesGroups: Sendable {
    var members: [Int] = []
    var starts: [Int] = [0]

    var count: Int { starts.count - 1 }
    subscript(group: Int) -> ArraySlice<Int> { members[starts[group]..<starts[group + 1]] }

    /// Groups `files` by identical bytes (same integrity; symlinks and files without a digest stand
    /// alone). Files with one digest have one size, so sorting by size, then digest, puts them side
    /// by side.
    init(_ files: [ReleasePlan.File]) {
        func key(_ index: Int) -> Integrity? {
            if case .symlink = files[index].content { return nil }
            return files[index].digest
        }
        members = files.indices.sorted { a, b in
            if files[a].size != files[b].size { return files[a].size > files[b].size }
            switch (key(a), key(b)) {
            case (let x?, let y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a < b
            }
        }
        for position in members.indices.dropFirst() {
            let (previous, index) = (members[position - 1], members[position])
            if key(index) == nil || key(index) != key(previous) { starts.append(position) }
        }
        if !files.isEmpty { starts.append(files.count) }
    }
}
