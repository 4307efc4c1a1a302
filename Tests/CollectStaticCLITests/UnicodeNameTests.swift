import Foundation
import StaticAssets
import TestSupport
import Testing

/// Names that differ only in Unicode normalisation (`café.txt` in NFC and in NFD) are two files to the
/// file system, to Python and to Django. Swift's `String ==` takes them for one.
@Suite(.serialized, .longRunner)
struct UnicodeNameTests {
    static let nfc = "caf\u{E9}.txt"
    static let nfd = "cafe\u{301}.txt"

    static func tree() -> URL {
        let dir = TestSupport.temporaryDirectory("unicode")
        let src = dir.appendingPathComponent("src")
        try? FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        // Written by bytes: Foundation's path APIs may normalise.
        for (name, text) in [(nfc, "composed\n"), (nfd, "decomposed\n")] {
            let path = src.path + "/" + name
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        return dir
    }

    /// The names in a folder, as bytes.
    static func names(in folder: URL) -> Set<[UInt8]> {
        guard let dir = opendir(folder.path) else { return [] }
        defer { closedir(dir) }
        var names: Set<[UInt8]> = []
        while let entry = readdir(dir) {
            let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
            let name = String(cString: UnsafeRawPointer(entry).advanced(by: offset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." && name != ".collectstatic" { names.insert(Array(name.utf8)) }
        }
        return names
    }

    @Test func bothNamesArePublishedAndKeptApart() throws {
        let dir = Self.tree()
        defer { try? FileManager.default.removeItem(at: dir) }
        let arguments = ["--noinput", "--no-compress", "--dir", "src", "--static-root", "out", "-v", "2"]
        let run = CLI.run(arguments, in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stdout.contains("skipped due to conflict"), "\(run.stdout)")
        let out = dir.appendingPathComponent("out")
        let names = Self.names(in: out)
        for original in [Self.nfc, Self.nfd] { #expect(names.contains(Array(original.utf8)), "\(names)") }
        // Two originals, two hashed copies, the manifest.
        #expect(names.count == 5, "\(names.map { String(decoding: $0, as: UTF8.self).unicodeScalars.map(\.value) })")
        let manifest = try String(contentsOf: out.appendingPathComponent("staticfiles.json"), encoding: .utf8)
        #expect(manifest.contains(#""caf\u00e9.txt""#), "\(manifest)")
        #expect(manifest.contains(#""cafe\u0301.txt""#), "\(manifest)")
        // A re-run with nothing changed keeps both.
        #expect(CLI.run(arguments, in: dir).status == 0)
        #expect(Self.names(in: out) == names)
    }

    @Test(.enabled(if: DjangoReference.enabled, Comment(rawValue: DjangoReference.skipComment)))
    func djangoPublishesTheSameNamesAndManifest() throws {
        let python = try DjangoReference.requirePython()
        let dir = Self.tree()
        defer { try? FileManager.default.removeItem(at: dir) }
        let django = dir.appendingPathComponent("django")
        let reference = DjangoReference.run(
            ["collect", "--static-root", django.path, dir.appendingPathComponent("src").path], python: python)
        try #require(reference.status == 0, "Django failed: \(reference.stderr)")
        let run = CLI.run(["--noinput", "--no-compress", "--dir", "src", "--static-root", "ours"], in: dir)
        try #require(run.status == 0, "\(run.stderr)")
        let ours = dir.appendingPathComponent("ours")
        #expect(Self.names(in: django) == Self.names(in: ours))
        // Django's manifest bytes are the start of ours (which goes on with our own keys).
        let theirs = try Data(contentsOf: django.appendingPathComponent("staticfiles.json"))
        let mine = try Data(contentsOf: ours.appendingPathComponent("staticfiles.json"))
        #expect(mine.starts(with: theirs.dropLast()), "\(String(decoding: theirs, as: UTF8.self))")
    }
}
