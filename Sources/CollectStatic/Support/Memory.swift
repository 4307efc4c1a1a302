extension String {
    /// The same text in storage of its own size. A string built by appending keeps the spare
    /// capacity of its last growth (152 bytes of heap for a 54-byte name, against 104 for a copy);
    /// names the run keeps for every file of the tree are stored compacted.
    var compacted: String { String(decoding: utf8, as: UTF8.self) }
}
