import Foundation
import Testing

@testable import CollectStatic

#if canImport(Glibc)
    import Glibc
#endif

/// Reads of C records that the kernel or libc filled only in part.
@Suite struct FileSystemTests {
    /// A `dirent` is only as long as its name. A record that ends a page, with nothing mapped after it,
    /// must be read without touching the next page (the old copy of the 256-byte `d_name` did, and
    /// faulted one re-run in ten on a 50,000-file tree).
    @Test func entryNameReadsOnlyTheRecordThatEndsAPage() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let raw = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        let base = try #require(raw == MAP_FAILED ? nil : raw)
        defer { munmap(base, 2 * page) }
        #expect(mprotect(base.advanced(by: page), page, PROT_NONE) == 0)
        let offset = try #require(MemoryLayout<dirent>.offset(of: \dirent.d_name))
        let name = Array("a.css".utf8CString)
        // The record: the header, then the name and its NUL, ending exactly at the guard page.
        let start = page - offset - name.count
        let record = base.advanced(by: start)
        name.withUnsafeBytes { bytes in
            UnsafeMutableRawBufferPointer(start: base.advanced(by: start + offset), count: bytes.count)
                .copyMemory(from: bytes)
        }
        let entry = record.bindMemory(to: dirent.self, capacity: 1)
        #expect(FileSystem.entryName(entry) == "a.css")
    }

    @Test func listDirectoryReturnsEveryNameOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Names of every length up to NAME_MAX, so records of every size end the buffer somewhere.
        var expected: Set<String> = []
        for length in 1...255 {
            let name = String(repeating: "n", count: length - 1) + String(length % 10)
            _ = FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data())
            expected.insert(name)
        }
        let names = try FileSystem.listDirectory(dir.path)
        #expect(names.count == expected.count)
        #expect(Set(names) == expected)
    }

    /// `renameat2(RENAME_EXCHANGE)` and `copy_file_range`, through the C target that declares them.
    @Test func treesAreExchangedAndFilesCopiedThroughTheLinuxCalls() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(
                at: dir.appendingPathComponent(name), withIntermediateDirectories: true)
            try Data(name.utf8).write(to: dir.appendingPathComponent("\(name)/marker"))
        }
        #expect(try TreeSwitch.exchange(dir.path + "/a", with: dir.path + "/b") == .exchanged)
        #expect(try String(contentsOf: dir.appendingPathComponent("a/marker"), encoding: .utf8) == "b")
        #expect(try String(contentsOf: dir.appendingPathComponent("b/marker"), encoding: .utf8) == "a")
        let big = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try big.write(to: dir.appendingPathComponent("big"))
        try FileStream.copy(dir.path + "/big", to: dir.path + "/copy")
        #expect(try Data(contentsOf: dir.appendingPathComponent("copy")) == big)
    }
}
