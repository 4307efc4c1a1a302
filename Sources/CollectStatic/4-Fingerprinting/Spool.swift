/// Where rewritten files are written as soon as their bytes are final, so that no run holds the
/// rewritten tree in memory: a private folder of the run (next to its staging tree, removed with it).
struct Spool: Sendable {
    let root: String

    func path(_ index: Int) -> String { root + "/" + String(index) }
}
