extension String {
    /// The same text in storage of its own size. A string built by appending keeps the spare
    /// capacity of its last growth (what that costs: docs/design/streaming.md); names the run keeps
    /// for every file of the tree are stored compacted.
    var compacted: String { String(decoding: utf8, as: UTF8.self) }
}
