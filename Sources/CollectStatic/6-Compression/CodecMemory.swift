import Glibc
import Synchronization

/// The memory of the codecs' working state, kept from one file to the next.
///
/// A brotli encoder at quality 10 or 11 allocates its hash tables, tree nodes and path nodes for
/// every file, and zlib a state per stream. The process's allocator returns blocks of that size to
/// the system when they are freed (`MemoryPolicy` keeps its mmap threshold fixed so that peak memory
/// follows what is in flight), so without a pool each file's state comes as fresh pages (the sizes
/// and the page faults they cost: docs/design/streaming.md, "The codecs' memory"). Here a freed block of `smallestKept` bytes or more is kept (within `limit`) and
/// given to the next request it can hold (the smallest such block), whose pages are then already
/// there. Smaller blocks go to `malloc` and back. What the pool holds is bounded whatever the size
/// of the tree.
///
/// The codecs get `allocate` and `release` through their C allocation hooks (`brotliAllocate` and
/// the like below, with the pool as their `opaque` pointer); a block carries its capacity in a
/// header before the address they get.
final class CodecMemory: Sendable {
    /// The lowest brotli quality whose states are worth keeping: 10 and 11 (the zopfli qualities)
    /// allocate a binary-tree hasher and path nodes by the input byte. Below, a state is a few
    /// buckets, and a run is better off leaving the allocator alone (keeping blocks at lower
    /// qualities raised the peak memory of a large tree: docs/design/streaming.md).
    static let brotliQualityKept = 10

    /// What a pool keeps per compression job: enough for brotli's quality 11 state for the small
    /// files that make up most of a typical tree's contents, and zlib's (how the figure was chosen:
    /// docs/design/streaming.md). Larger files, fewer and each worth more codec time, get their
    /// state fresh.
    static let keptPerJob = 8 << 20

    /// Blocks smaller than this are not kept: the allocator's heap serves them without page faults.
    static let smallestKept = 64 << 10
    /// Bytes before each block's address: its capacity (16 keeps `malloc`'s alignment).
    private static let header = 16

    /// The most bytes of blocks of `smallestKept` or more that the pool keeps while they are free:
    /// a block is kept only while the blocks in use and those kept add up to no more than this, and
    /// kept blocks are let go to make room for a new one. A larger state (brotli's for a file of
    /// several hundred KB) is allocated and freed as it would be without the pool.
    let limit: Int
    private let blocks: Mutex<Blocks>

    /// The free large blocks, ordered by capacity (addresses as integers, which are Sendable), and
    /// the bytes of those in use.
    private struct Blocks {
        var capacities: [Int] = []
        var addresses: [UInt] = []
        var keptBytes = 0
        var bytesInUse = 0
        /// Requests of `smallestKept` bytes or more that no kept block could serve.
        var misses = 0

        /// Takes the smallest kept block of at least `size` bytes. If there is none, counts a new
        /// block of `size` bytes in use and returns the kept blocks to let go (largest first) so
        /// that what the pool holds stays within `limit`.
        mutating func take(atLeast size: Int, limit: Int) -> (block: UInt?, letGo: [UInt]) {
            let position = lowerBound(capacities.count) { capacities[$0] < size }
            if position < capacities.count {
                let capacity = capacities.remove(at: position)
                keptBytes -= capacity
                bytesInUse += capacity
                return (addresses.remove(at: position), [])
            }
            misses += 1
            bytesInUse += size
            var letGo: [UInt] = []
            while bytesInUse + keptBytes > limit, let capacity = capacities.popLast() {
                keptBytes -= capacity
                letGo.append(addresses.removeLast())
            }
            return (nil, letGo)
        }

        /// Takes back a block in use: keeps it if the pool then holds no more than `limit` bytes.
        mutating func keep(_ address: UInt, capacity: Int, limit: Int) -> Bool {
            guard bytesInUse + keptBytes <= limit else {
                bytesInUse -= capacity
                return false
            }
            bytesInUse -= capacity
            let position = lowerBound(capacities.count) { capacities[$0] < capacity }
            capacities.insert(capacity, at: position)
            addresses.insert(address, at: position)
            keptBytes += capacity
            return true
        }
    }

    init(limit: Int) {
        self.limit = limit
        blocks = Mutex(Blocks())
    }

    deinit { releaseKept() }

    /// A block of at least `size` bytes (nil if the system has no memory), aligned as `malloc`'s.
    func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        if size >= Self.smallestKept {
            let (block, letGo) = blocks.withLock { $0.take(atLeast: size, limit: limit) }
            for address in letGo { free(UnsafeMutableRawPointer(bitPattern: address)) }
            if let base = block.flatMap(UnsafeMutableRawPointer.init(bitPattern:)) { return base + Self.header }
        }
        guard size <= Int.max - Self.header, let base = malloc(size + Self.header) else {
            if size >= Self.smallestKept { blocks.withLock { $0.bytesInUse -= size } }
            return nil
        }
        base.storeBytes(of: size, as: Int.self)
        return base + Self.header
    }

    /// Gives back a block `allocate` returned (nil is ignored).
    func release(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        let base = pointer - Self.header
        let capacity = base.load(as: Int.self)
        if capacity >= Self.smallestKept,
            blocks.withLock({ $0.keep(UInt(bitPattern: base), capacity: capacity, limit: limit) })
        {
            return
        }
        free(base)
    }

    /// Returns every kept block to the system (at the end of a run's compression; blocks in use
    /// are not affected and are kept or freed when released).
    func releaseKept() {
        let addresses = blocks.withLock { blocks in
            defer {
                blocks.capacities = []
                blocks.addresses = []
                blocks.keptBytes = 0
            }
            return blocks.addresses
        }
        for address in addresses { free(UnsafeMutableRawPointer(bitPattern: address)) }
    }

    /// Bytes held in free blocks now.
    var keptBytes: Int { blocks.withLock { $0.keptBytes } }

    /// How many blocks of `smallestKept` bytes or more were taken from the system rather than
    /// reused, so far.
    var blocksMade: Int { blocks.withLock { $0.misses } }

    /// The pool as the `opaque` pointer of a codec's allocation hooks (the pool must outlive the
    /// codec's state).
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// The pool an allocation hook was given (the hooks are only installed with one).
    fileprivate static func pool(_ opaque: UnsafeMutableRawPointer?) -> CodecMemory? {
        opaque.map { Unmanaged<CodecMemory>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// The C allocation hooks of the codecs, drawing on the pool passed as their `opaque` pointer.
extension CodecMemory {
    /// brotli's `brotli_alloc_func`.
    static let brotliAllocate: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = {
        opaque, size in pool(opaque)?.allocate(size)
    }
    /// brotli's `brotli_free_func`.
    static let brotliRelease: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = {
        opaque, pointer in pool(opaque)?.release(pointer)
    }
    /// zlib's `alloc_func` (items × size bytes; zlib does not need them zeroed).
    static let zlibAllocate: @convention(c) (UnsafeMutableRawPointer?, UInt32, UInt32) -> UnsafeMutableRawPointer? = {
        opaque, items, size in
        let (bytes, overflow) = Int(items).multipliedReportingOverflow(by: Int(size))
        return overflow ? nil : pool(opaque)?.allocate(bytes)
    }
    /// zlib's `free_func`.
    static let zlibRelease: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = {
        opaque, pointer in pool(opaque)?.release(pointer)
    }
}
