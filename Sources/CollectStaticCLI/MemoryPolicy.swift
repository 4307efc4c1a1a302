import CLinux

#if canImport(Glibc)
    import Glibc
#endif

/// The process's allocator policy, which belongs to the tool and not to the engine it hosts. glibc
/// raises its mmap threshold each time a large block is freed, so after reading a few big files
/// every later large buffer comes from the heap and is kept after it is freed; and it gives every
/// thread its own arena. Both make peak memory follow the largest buffers ever held rather than
/// those in flight. A fixed threshold returns large buffers to the system when they are freed; a
/// few arenas are enough for a few jobs.
enum MemoryPolicy {
    static func apply() {
        _ = collectstatic_mallopt(COLLECTSTATIC_M_MMAP_THRESHOLD, 256 * 1024)
        _ = collectstatic_mallopt(COLLECTSTATIC_M_TRIM_THRESHOLD, 1024 * 1024)
        let arenas = Int32(max(2, min(8, sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        _ = collectstatic_mallopt(COLLECTSTATIC_M_ARENA_MAX, arenas)
    }

    /// Gives the pages that freed allocations left empty back to the system (glibc keeps them
    /// otherwise), when the engine says a stage let go of what it held.
    static func returnFreed() {
        _ = collectstatic_malloc_trim(0)
    }
}
