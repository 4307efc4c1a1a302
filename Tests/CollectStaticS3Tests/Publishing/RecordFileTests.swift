import Foundation
import TestSupport
import Testing

@testable import CollectStaticS3

/// The release record is written to a file a piece at a time (`RecordFile`) and read back a chunk
/// at a time (`PresentObjects`): what `JSONDecoder` reads of it is the record that was meant, with
/// the manifest's text byte for byte, and Python's `json` (the independent reader) reads the same.
@Suite struct RecordFileTests {
    /// A record of 5,000 objects and two originals, whose manifest text has every byte a JSON string
    /// must escape and more than a chunk of it; removed with its folder.
    struct Fixture {
        let directory: URL
        let manifest: URL
        let text: String
        let objects: [(String, String)]
        let originals: [(String, BucketOriginals.Original)]
        let file: RecordFile

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var text = #"{"paths": {"é \"q\"\\b.css": "x"}, "tab": "\t", "nl": "a\nb", "ctl": "\u0001"}"#
            text += String(repeating: " \"/\\ é😀\n\u{7}", count: 300_000)
            self.text = text
            manifest = directory.appendingPathComponent("staticfiles.json")
            try Data(text.utf8).write(to: manifest)
            objects = (0..<5_000).map { ("css/é \"\($0)\"\\.css", String(repeating: String($0 % 10), count: 64)) }
            originals = [
                (
                    "css/a.css",
                    BucketOriginals.Original(
                        source: "css/a.0.css", sha256: "ab", contentType: "text/css", contentEncoding: nil)
                ),
                (
                    "css/a.css.br",
                    BucketOriginals.Original(
                        source: ".collectstatic/originals/cd", sha256: "cd", contentType: "text/css",
                        contentEncoding: "br")
                ),
            ]
            file = try RecordFile.write(
                id: "id-1", manifest: "staticfiles.json", manifestFile: manifest, objects: objects,
                originals: originals)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test func theRecordFileIsTheRecordAndItsObjectsAreReadBackWithoutItsText() throws {
        let fixture = try Fixture()
        defer {
            fixture.file.remove()
            fixture.remove()
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture.file.path))
        let record = try #require(BucketRelease.decoded(data))
        #expect(record.id == "id-1" && record.manifest == "staticfiles.json")
        #expect(record.manifestText == fixture.text)
        #expect(record.objects == Dictionary(uniqueKeysWithValues: fixture.objects))
        #expect(record.originals == Dictionary(uniqueKeysWithValues: fixture.originals))

        let present = try #require(PresentObjects.ofRecord(at: fixture.file.path))
        #expect(present.count == fixture.objects.count)
        for (name, digest) in fixture.objects.prefix(50) {
            #expect(present.contains(name, sha256: digest))
            #expect(!present.contains(name, sha256: String(repeating: "f", count: 64)))
        }
        #expect(!present.contains("css/a.css", sha256: "ab"))  // originals are not objects of the record
        #expect(PresentObjects.ofRecord(at: fixture.manifest.path) == nil)
    }

    @Test(.enabled(if: Requirement.tool("python3")))
    func pythonReadsTheSameRecord() throws {
        let fixture = try Fixture()
        defer {
            fixture.file.remove()
            fixture.remove()
        }
        let python = TestSupport.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import json,sys; r=json.load(open(sys.argv[1], encoding='utf-8')); "
                    + "print(len(r['objects']), r['manifestText'] == open(sys.argv[2], encoding='utf-8').read(), "
                    + "r['originals']['css/a.css.br']['contentEncoding'], 'contentEncoding' in r['originals']['css/a.css'])",
                fixture.file.path, fixture.manifest.path,
            ])
        #expect(python.stdout == "5000 True br False\n", "\(python.stderr)")
    }
}
