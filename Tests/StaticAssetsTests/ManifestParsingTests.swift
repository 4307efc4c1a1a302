import Foundation
import StaticAssets
import Testing

/// The manifest is decoded field by field into its own records (not into a dictionary of JSON values
/// first): what it accepts, what it skips and what it refuses, with the reason given.
@Suite struct ManifestParsingTests {
    func parse(_ json: String) throws(ManifestError) -> Manifest {
        try Manifest(data: Data(json.utf8), source: "m.json")
    }

    func reason(_ json: String) -> String {
        do {
            _ = try parse(json)
            return "parsed"
        } catch {
            return "\(error)"
        }
    }

    let base = #"{"version": "1.1", "hash": "h", "paths": {"a.css": "a.1.css"}"#

    @Test func everyFieldIsRead() throws {
        let manifest = try parse(
            base + #"""
                , "compression": "c",
                "files": {"a.1.css": {"size": 3, "integrity": "sha384-x",
                  "encodings": {"br": {"size": 2, "sha256": "00ff"}, "gzip": 5, "future": {"odd": true}},
                  "dcz": {"k": {"size": 1, "sha256": "aa"}}, "dcb": {"k": {"size": 1, "sha256": "bb"}}}},
                "generation": {"id": "g2", "created": "t2"},
                "previous": [{"id": "g1", "created": "t1", "retired": "t2", "paths": {"a.css": "a.0.css"}}],
                "unknown": [1, 2, {"x": null}]}
                """#)
        #expect(manifest.paths == ["a.css": "a.1.css"])
        #expect(manifest.hash == "h" && manifest.version == "1.1" && manifest.compression == "c")
        let entry = try #require(manifest.files["a.1.css"])
        #expect(entry.size == 3 && entry.integrity == "sha384-x")
        #expect(
            entry.encodings == [.brotli: ManifestVariant(size: 2, sha256: "00ff"), .gzip: ManifestVariant(size: 5)])
        #expect(entry.deltas == ["k": ManifestVariant(size: 1, sha256: "aa")])
        #expect(entry.dcbDeltas == ["k": ManifestVariant(size: 1, sha256: "bb")])
        #expect(manifest.release == ReleaseRecord(id: "g2", created: "t2", paths: ["a.css": "a.1.css"]))
        #expect(
            manifest.previousReleases == [
                ReleaseRecord(id: "g1", created: "t1", retired: "t2", paths: ["a.css": "a.0.css"])
            ])
    }

    @Test func djangosOwnManifestHasNoMoreThanPaths() throws {
        let manifest = try parse(
            #"{"paths": {"é.css": "é.1.css", "b\u00e9.js": "b\u00e9.2.js"}, "version": "1.0", "hash": "x"}"#)
        #expect(manifest.paths == ["é.css": "é.1.css", "bé.js": "bé.2.js"])
        #expect(manifest.files.isEmpty && manifest.release == nil && manifest.previousReleases.isEmpty)
    }

    @Test(arguments: [
        ("{\"paths\": {", "corrupt manifest 'm.json': not valid JSON"),
        ("[1, 2]", "corrupt manifest 'm.json': top level is not a JSON object"),
        (#"{"version": "1.1"}"#, #"corrupt manifest 'm.json': "paths" is missing or not an object"#),
        (#"{"version": "1.1", "paths": []}"#, #"corrupt manifest 'm.json': "paths" is missing or not an object"#),
        (#"{"version": "1.1", "paths": {"a": 1}}"#, #"corrupt manifest 'm.json': "paths"["a"] is not a string"#),
        (
            #"{"version": "1.1", "paths": {}, "files": {"a": {"size": "3", "integrity": "x"}}}"#,
            #"corrupt manifest 'm.json': "files"["a"] is malformed"#
        ),
        (
            #"{"version": "1.1", "paths": {}, "files": {"a": {"size": 3, "integrity": "x", "encodings": {"br": "2"}}}}"#,
            #"corrupt manifest 'm.json': "files"["a"] is malformed"#
        ),
        (
            #"{"version": "1.1", "paths": {}, "generation": null}"#,
            #"corrupt manifest 'm.json': "generation" is malformed"#
        ),
        (
            #"{"version": "1.1", "paths": {}, "previous": {}}"#,
            #"corrupt manifest 'm.json': "previous" is not a list of objects"#
        ),
        (
            #"{"version": "1.1", "paths": {}, "previous": [3]}"#,
            #"corrupt manifest 'm.json': "previous" is not a list of objects"#
        ),
        (
            #"{"version": "1.1", "paths": {}, "previous": [{"id": "g"}]}"#,
            #"corrupt manifest 'm.json': "previous" holds a malformed release"#
        ),
        (#"{"paths": {}}"#, "parsed"),
    ])
    func refusedWithItsReason(_ json: String, _ expected: String) {
        let message = reason(json)
        if expected == "parsed" {
            #expect(message.contains("version"), "\(message)")  // no version: Django refuses it too
        } else {
            #expect(message == expected)
        }
    }

    @Test func filesThatAreNotAnObjectAreIgnoredAsBefore() throws {
        #expect(try parse(base + #", "files": 3}"#).files.isEmpty)
    }
}
