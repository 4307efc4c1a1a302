import Foundation
import StaticAssets
import Testing

@testable import CollectStatic

/// The codecs' memory pool: a freed block serves the next request it can hold, what the pool holds
/// stays within its limit, and codecs drawing on it make the same bytes and need no new memory for
/// the next file.
@Suite("Codec memory kept between files")
struct CodecMemoryTests {
    static let kilobyte = 1024

    @Test("a freed block is given to the next request it can hold; a larger request gets a new one")
    func reusesFreedBlocks() throws {
        let pool = CodecMemory(limit: 4 << 20)
        let first = try #require(pool.allocate(200 * Self.kilobyte))
        pool.release(first)
        #expect(pool.keptBytes == 200 * Self.kilobyte)
        let second = try #require(pool.allocate(150 * Self.kilobyte))
        #expect(second == first, "the kept block serves a smaller request")
        #expect(pool.keptBytes == 0)
        let third = try #require(pool.allocate(300 * Self.kilobyte))
        #expect(third != first)
        #expect(pool.blocksMade == 2)
        // The block keeps its capacity: given back and asked for in full, it serves again.
        pool.release(second)
        let fourth = try #require(pool.allocate(200 * Self.kilobyte))
        #expect(fourth == first)
        #expect(pool.blocksMade == 2)
        pool.release(third)
        pool.release(fourth)
        #expect(pool.keptBytes == 500 * Self.kilobyte)
        pool.releaseKept()
        #expect(pool.keptBytes == 0)
    }

    @Test("the smallest block that can hold a request serves it")
    func bestFit() throws {
        let pool = CodecMemory(limit: 4 << 20)
        let sizes = [512, 128, 256].map { $0 * Self.kilobyte }
        let blocks = try sizes.map { try #require(pool.allocate($0)) }
        for block in blocks { pool.release(block) }
        #expect(try #require(pool.allocate(100 * Self.kilobyte)) == blocks[1])
        #expect(try #require(pool.allocate(200 * Self.kilobyte)) == blocks[2])
        #expect(try #require(pool.allocate(129 * Self.kilobyte)) == blocks[0])
        #expect(pool.blocksMade == 3)
    }

    @Test("blocks under 64 KB go back to malloc and are not kept")
    func smallBlocksAreNotKept() throws {
        let pool = CodecMemory(limit: 4 << 20)
        let block = try #require(pool.allocate(CodecMemory.smallestKept - 1))
        block.storeBytes(of: 42, as: Int.self)
        pool.release(block)
        #expect(pool.keptBytes == 0)
        #expect(pool.blocksMade == 0)
        pool.release(nil)
    }

    @Test("blocks in use and kept never add up to more than the limit once released")
    func staysWithinTheLimit() throws {
        let pool = CodecMemory(limit: 1 << 20)
        let size = 600 * Self.kilobyte
        let (a, b) = (try #require(pool.allocate(size)), try #require(pool.allocate(size)))
        // 1.2 MB in use: the first block given back is freed, the second is kept.
        pool.release(a)
        #expect(pool.keptBytes == 0)
        pool.release(b)
        #expect(pool.keptBytes == size)
        // A request the kept block cannot hold lets it go to make room.
        let c = try #require(pool.allocate(900 * Self.kilobyte))
        #expect(pool.keptBytes == 0)
        pool.release(c)
        #expect(pool.keptBytes == 900 * Self.kilobyte)
        // A request larger than the limit is served, and freed when given back.
        let d = try #require(pool.allocate(2 << 20))
        #expect(pool.keptBytes == 0)
        pool.release(d)
        #expect(pool.keptBytes == 0)
    }

    @Test("many tasks at once: every block is written and read back intact, and the pool ends within its limit")
    func concurrentUse() async throws {
        let pool = CodecMemory(limit: 2 << 20)
        let intact = await withTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var intact = true
                    for round in 0..<50 {
                        let size = (64 + (task * 37 + round * 11) % 300) * Self.kilobyte
                        guard let block = pool.allocate(size) else { return false }
                        let words = block.bindMemory(to: Int.self, capacity: size / 8)
                        for index in stride(from: 0, to: size / 8, by: 512) { words[index] = task &* 1000 &+ index }
                        for index in stride(from: 0, to: size / 8, by: 512) where words[index] != task &* 1000 &+ index
                        {
                            intact = false
                        }
                        pool.release(block)
                    }
                    return intact
                }
            }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(intact)
        #expect(pool.keptBytes <= pool.limit)
        #expect(pool.blocksMade < 8 * 50, "blocks were reused")
    }

    @Test("a run's codecs keep their state at brotli quality 10 and 11 only, 8 MB per job")
    func keptAtZopfliQualitiesOnly() {
        let pool = CompressionScheduler.codecMemory(for: CompressionPolicy(), jobs: 2)
        #expect(pool?.limit == 16 << 20)
        #expect(CompressionScheduler.codecMemory(for: CompressionPolicy(brotliQuality: 10), jobs: 1)?.limit == 8 << 20)
        #expect(CompressionScheduler.codecMemory(for: CompressionPolicy(brotliQuality: 9), jobs: 2) == nil)
        #expect(CompressionScheduler.codecMemory(for: CompressionPolicy(brotliQuality: 4), jobs: 2) == nil)
        #expect(CompressionScheduler.codecMemory(for: CompressionPolicy(encodings: [.gzip]), jobs: 2) == nil)
        // Codecs made outside a run use the process's allocator.
        #expect(
            CompressionPolicy().compressors.allSatisfy { codec in
                (codec as? BrotliCompressor)?.memory == nil && (codec as? GzipCompressor)?.memory == nil
            })
    }

    /// Stylesheets of a few hundred KB, each different, the first the largest.
    static func inputs() -> [[UInt8]] {
        let text = CompressorTests.largeText
        return [Array(text.prefix(180_000)), Array(text.suffix(150_000)), Array(text[400_000..<520_000])]
    }

    @Test(
        "brotli at quality 11 and gzip drawing on the pool make the one-shot bytes, and the next file needs no new block",
        arguments: ["brotli", "gzip"])
    func codecsReuseTheirState(codec name: String) throws {
        let pool = CodecMemory(limit: 64 << 20)
        let codec: any Compressor =
            name == "brotli"
            ? BrotliCompressor(quality: 11, window: 22, memory: pool) : GzipCompressor(level: 9, memory: pool)
        var made: [Int] = []
        for bytes in Self.inputs() {
            let (folder, path) = try FileCompressionTests.file(bytes)
            defer { try? FileManager.default.removeItem(at: folder) }
            let streamed = try FileCompressionTests.streamed(codec, file: path, size: bytes.count, kind: .text)
            // The one-shot call allocates with malloc: the pool's reused memory changes nothing.
            #expect(streamed == (try codec.compress(bytes, kind: .text)), "\(name): the one-shot bytes")
            made.append(pool.blocksMade)
        }
        #expect(made[0] > 0, "\(name) allocates blocks of 64 KB or more")
        // The later files are smaller: the first file's blocks hold their state.
        #expect(made.dropFirst().allSatisfy { $0 == made[0] }, "\(name): new blocks per file \(made)")
        #expect(pool.keptBytes > 0)
    }
}
