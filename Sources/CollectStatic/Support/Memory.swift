#if canImport(Glibc)
    import Glibc
#endif

/// The process's memory between stages of a run.
enum Memory {
    /// Gives the pages that freed allocations left empty back to the system (glibc keeps them
    /// otherwise): what one stage let go is then not counted while the next one runs.
    static func returnFreed() {
        #if canImport(Glibc)
            // malloc_trim(3) is in <malloc.h>, which Swift's Glibc module does not export.
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}

extension String {
    /// The same text in storage of its own size. A string built by appending keeps the spare
    /// capacity of its last growth (152 bytes of heap for a 54-byte name, against 104 for a copy);
    /// names the run keeps for every file of the tree are stored compacted.
    var compacted: String { String(decoding: utf8, as: UTF8.self) }
}
