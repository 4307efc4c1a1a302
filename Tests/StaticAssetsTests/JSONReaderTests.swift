import Foundation
import Testing

@testable import StaticAssets

/// The manifest is read by our own pull reader (`JSONReader`), in chunks, so that a large manifest
/// is never held with a map of its values (docs/benchmarks.md, "S3"). Foundation's
/// `JSONSerialization`, an independent parser, is the oracle: what it reads, we read the same, in
/// chunks of any size; what it refuses, we refuse.
@Suite struct JSONReaderTests {
    /// Every value of `text`, read through `JSONReader` into Foundation's value types.
    static func read(_ text: [UInt8], chunk: Int) throws -> Any {
        var offset = 0
        var reader = JSONReader(chunks: {
            guard offset < text.count else { return nil }
            defer { offset += chunk }
            return Array(text[offset..<min(offset + chunk, text.count)])
        })
        let value = try value(&reader)
        try reader.finish()
        return value
    }

    static func value(_ reader: inout JSONReader) throws -> Any {
        switch try reader.peek() {
        case .object:
            var object: [String: Any] = [:]
            try reader.readObject { reader, key in object[key] = try value(&reader) }
            return object
        case .array:
            var array: [Any] = []
            try reader.readArray { reader in array.append(try value(&reader)) }
            return array
        case .string: return try reader.readString()
        case .number: return try reader.readInteger().map { $0 as Any } ?? "non-integer"
        case .bool: return try reader.readBool()
        case .null:
            try reader.readNull()
            return NSNull()
        }
    }

    static let texts: [String] = [
        #"{"a": "b", "c": [1, -2, 0, true, false, null], "d": {}}"#,
        #"{"é.css": "\u00e9\u0301 \ud83d\ude00 😀", "tab\tesc": "q\"\\\/\b\f\n\r\t", "\u0000": ""}"#,
        #"  [ {"paths": {"a b.css": "a b.0123456789ab.css"}} , [] , [[ ]] ]  "#,
        #"{"big": 9223372036854775807, "s": "x", "nested": {"a": {"b": {"c": [{"d": "e"}]}}}}"#,
        "{\"long\": \"" + String(repeating: "abc\\\"é", count: 5000) + "\"}",
    ]

    @Test(arguments: texts, [1, 2, 3, 7, 64, 1 << 20])
    func readsWhatFoundationReads(_ text: String, chunk: Int) throws {
        let bytes = Array(text.utf8)
        let ours = try Self.read(bytes, chunk: chunk)
        let oracle = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        #expect(try Self.canonical(ours) == Self.canonical(oracle))
    }

    /// The value as text with sorted keys (how two parses are compared).
    static func canonical(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    static let invalid: [String] = [
        #"{"a": 1} x"#, #"{"a" 1}"#, #"{'a': 1}"#, #"{"a": 01}"#, #"{"a": 1.}"#, #"{"a": -}"#,
        #"{"a": .5}"#, #"{"a": 1e}"#, #"{"a": tru}"#, #"{"a": nul}"#, #"{"a": "\ud800"}"#, #"{"a": "\udc00x"}"#,
        #"{"a": "\x"}"#, #"{"a": "\u12g4"}"#, "{\"a\": \"line\nbreak\"}", #"{"a": "open}"#, #"[1, 2"#, #"[1 2]"#,
        "", "   ", #"{"a": 1}{"b": 2}"#,
    ]

    @Test(arguments: invalid, [1, 5, 1 << 20])
    func refusesWhatFoundationRefuses(_ text: String, chunk: Int) {
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) == nil)
        #expect(throws: JSONReader.Invalid.self) { try Self.read(Array(text.utf8), chunk: chunk) }
    }

    /// Skipping a value (how a release record's manifest text is passed over) checks the same syntax.
    @Test(arguments: texts)
    func skippingAcceptsWhatReadingAccepts(_ text: String) throws {
        var reader = JSONReader(data: Data(text.utf8))
        try reader.skipValue()
        try reader.finish()
    }

    @Test(arguments: invalid)
    func skippingRefusesWhatReadingRefuses(_ text: String) {
        #expect(throws: JSONReader.Invalid.self) {
            var reader = JSONReader(data: Data(text.utf8))
            try reader.skipValue()
            try reader.finish()
        }
    }

    /// Foundation reads a comma before a closing bracket; RFC 8259 and Python's `json`, which Django
    /// reads the manifest with, do not, and neither do we.
    @Test(arguments: [#"{"a": 1,}"#, #"[1, 2,]"#])
    func aTrailingCommaIsRefusedAsPythonRefusesIt(_ text: String) {
        #expect(throws: JSONReader.Invalid.self) { try Self.read(Array(text.utf8), chunk: 2) }
    }

    @Test func invalidUTF8InAStringIsRefused() {
        let bytes: [UInt8] = Array(#"{"a": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect((try? JSONSerialization.jsonObject(with: Data(bytes))) == nil)
        #expect(throws: JSONReader.Invalid.self) { try Self.read(bytes, chunk: 3) }
    }

    /// A whole manifest, read from a file in 1 MB chunks and from bytes, gives the manifest that
    /// Foundation's parse of the same text describes.
    @Test func aLargeManifestReadFromAFileIsTheManifestItsTextDescribes() throws {
        var paths: [String: String] = [:]
        var files: [String: Any] = [:]
        for index in 0..<20_000 {
            let name = "app-\(index)/é \"q\" \(index).css"
            let hashed = "app-\(index)/é \"q\" \(index).0123456789ab.css"
            paths[name] = hashed
            let digest = String(repeating: String(index % 10), count: 64)
            files[hashed] = [
                "size": index, "integrity": "sha384-\(index)",
                "encodings": ["br": ["size": index / 2, "sha256": digest], "gzip": index / 3],
            ]
            files[name] = ["size": index, "integrity": "sha384-\(index)"]
        }
        let object: [String: Any] = [
            "version": "1.1", "hash": "h", "paths": paths, "files": files,
            "generation": ["id": "g", "created": "t"],
        ]
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect(data.count > 2 << 20)  // more than one chunk
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-\(UUID()).json")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        for manifest in [try Manifest(contentsOf: url), try Manifest(data: data)] {
            #expect(manifest.paths == paths)
            #expect(manifest.release == ReleaseRecord(id: "g", created: "t", paths: paths))
            #expect(manifest.files.count == 40_000)
            for index in stride(from: 0, to: 20_000, by: 997) {
                let hashed = try #require(manifest.files["app-\(index)/é \"q\" \(index).0123456789ab.css"])
                let digest = String(repeating: String(index % 10), count: 64)
                #expect(hashed.size == index && hashed.integrity == "sha384-\(index)")
                #expect(
                    hashed.encodings == [
                        .brotli: ManifestVariant(size: index / 2, sha256: digest),
                        .gzip: ManifestVariant(size: index / 3),
                    ])
                let original = try #require(manifest.files["app-\(index)/é \"q\" \(index).css"])
                #expect(original.encodings.isEmpty && original.size == index)
            }
        }
        // One pass over the entries gives each once, and keeps none.
        var seen = 0
        let streamed = try Manifest.read(contentsOf: url) { _, _ in seen += 1 }
        #expect(seen == 40_000 && streamed.files.isEmpty && streamed.paths == paths)
    }
}
