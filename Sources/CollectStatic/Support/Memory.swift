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
