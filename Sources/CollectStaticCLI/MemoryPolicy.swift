#if canImport(Glibc)
    import Glibc
#endif

/// The process's allocator policy. glibc raises its mmap threshold each time a large block is
/// freed, so after reading a few big files every later large buffer comes from the heap and is
/// kept after it is freed; and it gives every thread its own arena. Both make peak memory follow
/// the largest buffers ever held rather than those in flight. A fixed threshold returns large
/// buffers to the system when they are freed; a few arenas are enough for a few jobs.
enum MemoryPolicy {
    static func apply() {
        #if canImport(Glibc)
            // mallopt(3) is in <malloc.h>, which Swift's Glibc module does not export.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let (trimThreshold, mmapThreshold, arenaMax): (Int32, Int32, Int32) = (-1, -3, -8)  // <malloc.h>
            _ = mallopt(mmapThreshold, 256 * 1024)
            _ = mallopt(trimThreshold, 1024 * 1024)
            _ = mallopt(arenaMax, Int32(max(2, min(8, sysconf(Int32(_SC_NPROCESSORS_ONLN))))))
        #endif
    }
}
