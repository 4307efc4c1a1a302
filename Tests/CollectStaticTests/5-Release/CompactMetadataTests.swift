import Crypto
import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

/// What a run keeps for every file of the tree is kept small (digests as bytes, one path per
/// source, no dictionary of the tree's manifest entries); these tests check that the compact forms
/// say exactly what the texts they replace said.
@Suite struct CompactMetadataTests {
    /// Inputs whose MD5 starts with zero digits (the packed form must keep leading zeros).
    func inputsWithLeadingZeros() -> [[UInt8]] {
        var found: [[UInt8]] = []
        var counter = 0
        while found.count < 3 {
            let bytes = Array("input \(counter)".utf8)
            if Insecure.MD5.hash(data: bytes).hexString.hasPrefix("00") { found.append(bytes) }
            counter += 1
        }
        return found
    }

    @Test func digestsGiveTheSameTextsAsSwiftCrypto() {
        var random = SeededRandom(seed: 7)
        var inputs = inputsWithLeadingZeros() + [[], Array("hello".utf8)]
        for size in [1, 63, 64, 65, 1000] {
            inputs.append((0..<size).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        for bytes in inputs {
            let digest = ContentDigest(of: bytes)
            #expect(digest.md5 == Insecure.MD5.hash(data: bytes).hexString)
            #expect(digest.fingerprint == String(Insecure.MD5.hash(data: bytes).hexString.prefix(12)))
            #expect(digest.integrity == "sha384-" + Data(SHA384.hash(data: bytes)).base64EncodedString())
            #expect(Integrity(digest.integrity) == digest.sha384)
            #expect(Integrity(digest.integrity)?.description == digest.integrity)
        }
    }

    @Test func integrityTextsThatAreNotSHA384AreRefused() {
        #expect(Integrity("sha256-" + Data(SHA256.hash(data: [1])).base64EncodedString()) == nil)
        #expect(Integrity("sha384-" + Data([1, 2, 3]).base64EncodedString()) == nil)
        #expect(Integrity("sha384-not base64!") == nil)
        #expect(Integrity("") == nil)
    }

    @Test(arguments: [
        "00" + String(repeating: "0123456789abcdef", count: 3) + "0123456789abcd",
        String(repeating: "f", count: 64),
        // Kept as they were written, though they are not collectstatic's lowercase hex:
        String(repeating: "ABCDEF0123456789", count: 4), "+123456789abcdef" + String(repeating: "0", count: 48),
        "not hex", "",
    ])
    func variantDigestsReadBackAsWritten(_ text: String) {
        #expect(ManifestVariant(size: 1, sha256: text).sha256 == text)
        var variant = ManifestVariant(size: 1)
        #expect(variant.sha256 == nil)
        variant.sha256 = text
        #expect(variant == ManifestVariant(size: 1, sha256: text))
        #expect(variant != ManifestVariant(size: 1, sha256: text + "0"))
    }

    @Test func aSourceKeepsItsPathWithoutStoringIt() throws {
        let ws = Workspace(["css/app.css": "a", "img/logo.png": "b"])
        let finder = Finder(
            roots: [SourceRoot(prefix: "admin/v1", path: ws.sources.path), SourceRoot(path: ws.sources.path)],
            ignorePatterns: [])
        let found = try finder.find()
        #expect(
            found.assets.map(\.filePath) == [
                ws.sources.path + "/css/app.css", ws.sources.path + "/img/logo.png",
                ws.sources.path + "/css/app.css", ws.sources.path + "/img/logo.png",
            ])
        #expect(
            found.assets.map(\.logicalPath) == [
                "admin/v1/css/app.css", "admin/v1/img/logo.png", "css/app.css", "img/logo.png",
            ])
        #expect(
            found.assets[0]
                == SourceAsset(logicalPath: "admin/v1/css/app.css", filePath: ws.sources.path + "/css/app.css", size: 1)
        )
    }

    @Test func theFirstRootWinsAndLaterOnesAreReportedInWalkOrder() throws {
        let ws = Workspace(["a/z.css": "1", "a/y.css": "2"])
        let other = TestSupport.temporaryDirectory("other")
        TestSupport.write("3", to: other.appendingPathComponent("a/z.css"))
        TestSupport.write("4", to: other.appendingPathComponent("a/y.css"))
        let found = try Finder(
            roots: [SourceRoot(path: ws.sources.path), SourceRoot(path: other.path)], ignorePatterns: []
        ).find()
        #expect(found.assets.map(\.filePath) == [ws.sources.path + "/a/y.css", ws.sources.path + "/a/z.css"])
        #expect(found.shadowed.map(\.filePath) == [other.path + "/a/y.css", other.path + "/a/z.css"])
    }

    @Test func aNameGivenTwiceGoesToTheAssetFirstInNameOrder() async throws {
        let hashed = HashedName.make("a.css", hash: ContentDigest(of: Array("x".utf8)).fingerprint)
        let ws = Workspace(["a.css": "x", hashed: "a literal file that looks hashed"])
        try await ws.collect()
        // `a.<hash>.css` sorts before `a.css`: its own bytes keep the name.
        #expect(ws.output(hashed) == "a literal file that looks hashed")
        #expect(try ws.manifest().paths["a.css"] == hashed)
        #expect(
            try ws.manifest().files[hashed]?.integrity
                == ContentDigest(of: Array("a literal file that looks hashed".utf8)).integrity)
    }

    @Test func theManifestWrittenEntryByEntryIsTheWholeManifestsEncoding() async throws {
        let ws = Workspace([
            "css/app.css": "body { background: url(../img/a.png) }\n"
                + String(repeating: "p { color: red }\n", count: 50),
            "img/a.png": "png",
        ])
        ws.write("js/app.js", bytes: DictionaryDeltaTests.script())
        let compress = { (configuration: inout Configuration) in
            configuration.compression = CompressionPolicy(brotliQuality: 5)
        }
        try await ws.collect(CollectOptions(), compress)
        ws.write("js/app.js", bytes: DictionaryDeltaTests.script(edit: "console.log('release 2');\n"))
        try await ws.collect(CollectOptions(), compress)  // a second release: kept files and deltas
        let written = try [UInt8](Data(contentsOf: ws.staticRoot.appendingPathComponent("staticfiles.json")))
        let manifest = try ws.manifest()
        #expect(!manifest.previousReleases.isEmpty)
        #expect(manifest.files.values.contains { !$0.encodings.isEmpty })
        #expect(manifest.files.values.contains { !$0.deltas.isEmpty })
        #expect(ManifestWriter.encode(manifest) == written)
    }

    @Test func releasePathsFromSortedAssetsAnswerAsTheDictionaryWould() {
        func assets(_ names: [String]) -> FingerprintedAssets {
            FingerprintedAssets(
                sources: names.map { SourceAsset(logicalPath: $0, filePath: "/src/" + $0, size: 1) },
                digests: names.map { ContentDigest(of: Array($0.utf8)) },
                nameHashes: Dictionary(
                    uniqueKeysWithValues: names.indices.map { ($0, NameHash(md5High: 0x0123_4567_89ab << 16)) }))
        }
        let names = ["a.css", "b/c.js", "b/é.css", "z.txt"]
        let dictionary = Dictionary(uniqueKeysWithValues: names.map { ($0, HashedName.make($0, hash: "0123456789ab")) })
        for paths in [ReleasePaths(assets(names)), ReleasePaths(assets(names.reversed()))] {
            #expect(paths.count == 4)
            for name in names + ["missing.css", "b"] { #expect(paths[name] == dictionary[name]) }
            var listed: [String] = []
            paths.forEach { logical, hashed in
                listed.append(logical)
                #expect(dictionary[logical] == hashed)
            }
            #expect(listed == names)
            #expect(paths.dictionary == dictionary)
            #expect(paths.isEqual(to: dictionary))
            #expect(!paths.isEqual(to: dictionary.filter { $0.key != "z.txt" }))
            #expect(!paths.isEqual(to: dictionary.merging(["z.txt": "z.txt"]) { $1 }))
            #expect(paths.djangoHash == djangoManifestHash(dictionary))
        }
        if case .assets = ReleasePaths(assets(names)) {
        } else {
            Issue.record("sorted assets are looked up in place")
        }
    }

    @Test func namesMadeFromTheirPartsSortAndCompareAsTheirTexts() {
        var random = SeededRandom(seed: 11)
        let parts = ["a", "b", ".", "/", "é", "0", "f", "css", "min", "-", "z", "\u{1F600}"]
        var names: [FileName] = []
        for _ in 0..<400 {
            var logical = ""
            for _ in 0..<Int.random(in: 0...7, using: &random) { logical += parts.randomElement(using: &random)! }
            names.append(FileName(logical))
            let hash = NameHash(md5High: UInt64.random(in: 0...UInt64.max, using: &random))
            names.append(FileName(logicalPath: logical, hash: hash))
            #expect(FileName(logicalPath: logical, hash: hash).text == HashedName.make(logical, hash: hash.description))
        }
        var wrong: [String] = []
        for a in names.prefix(200) {
            for b in names {
                let expected = a.text == b.text ? 0 : utf8Less(a.text, b.text) ? -1 : 1
                if FileName.order(a, b) != expected { wrong.append("\(a.text) vs \(b.text)") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    @Test func whatARunKeepsPerNameAndPerReferenceIsSmall() {
        // What a large tree costs per file and per reference (docs/benchmarks.md, Scale) stays
        // within these bounds: a record that grows past one is a regression of memory at scale.
        #expect(MemoryLayout<SourceAsset>.stride <= 40)
        #expect(MemoryLayout<ReleasePlan.File>.stride <= 16)
        #expect(MemoryLayout<ReferenceGraph.Edge>.stride <= 28)
        #expect(MemoryLayout<NameHash>.stride <= 8)
    }

    @Test func aNameHashIsTheFingerprintsDigits() {
        for bytes in inputsWithLeadingZeros() + [[], Array("hello".utf8)] {
            let digest = ContentDigest(of: bytes)
            #expect(digest.nameHash.description == String(Insecure.MD5.hash(data: bytes).hexString.prefix(12)))
            #expect(NameHash(Insecure.MD5.hash(data: bytes)) == digest.nameHash)
        }
    }

    @Test func aCompactedNameIsTheSameText() {
        var name = String(repeating: "folder/", count: 5)
        name += "file-é.css"
        #expect(name.compacted == name)
        #expect(Array(name.compacted.utf8) == Array(name.utf8))
        #expect("".compacted.isEmpty)
    }
}
