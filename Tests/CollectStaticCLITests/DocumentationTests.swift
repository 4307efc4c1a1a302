import Foundation
import StaticAssets
import TestSupport
import Testing

/// The documentation itself: a README a user can read through, links that lead somewhere, and a
/// manifest reference that names everything a real run writes.
@Suite struct DocumentationTests {
    /// The README is for users (what, install, quick starts, commands, first settings); the rest is in docs/.
    static let readmeLimit = 16_000

    /// README.md, CHANGELOG.md and every Markdown file under docs/, as paths from the package root.
    static func markdownFiles() -> [String] {
        let root = TestSupport.packageRoot
        var names = ["README.md", "CHANGELOG.md"]
        if let walk = FileManager.default.enumerator(atPath: root.appendingPathComponent("docs").path) {
            while let path = walk.nextObject() as? String {
                if path.hasSuffix(".md") { names.append("docs/" + path) }
            }
        }
        return names.sorted()
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: TestSupport.packageRoot.appendingPathComponent(name), encoding: .utf8)
    }

    /// The Markdown text outside fenced code blocks (links inside code are code, not links).
    static func prose(_ text: String) -> String {
        var inFence = false
        var kept: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            if !inFence { kept.append(line) }
        }
        return kept.joined(separator: "\n")
    }

    /// The targets of the inline links `[text](target)` that are relative (no scheme); a link to a
    /// heading of the same file is `#anchor`.
    static func relativeLinks(in text: String) -> [String] {
        // Inline code spans are not links either.
        let withoutCode = prose(text).replacing(/`[^`\n]*`/, with: "")
        return withoutCode.matches(of: /\]\(([^)\s]+)\)/).map { String($0.1) }.filter {
            !$0.contains("://") && !$0.hasPrefix("mailto:")
        }
    }

    /// GitHub's anchor for a heading: lowercased, punctuation other than `-` and `_` dropped, spaces
    /// made `-`.
    static func anchor(_ heading: String) -> String {
        let lowered = heading.lowercased()
        var out = ""
        for character in lowered {
            if character == " " {
                out.append("-")
            } else if character == "-" || character == "_" || character.isLetter || character.isNumber {
                out.append(character)
            }
        }
        return out
    }

    /// The anchors of every heading of a Markdown text (outside code blocks).
    static func anchors(in text: String) -> Set<String> {
        Set(
            prose(text).split(separator: "\n").filter { $0.hasPrefix("#") }.map {
                anchor(String($0.drop(while: { $0 == "#" })).trimmingCharacters(in: .whitespaces))
            })
    }

    @Test func theReadmeIsAtMost16000Bytes() throws {
        let size = try Self.text("README.md").utf8.count
        #expect(size <= Self.readmeLimit, "README.md is \(size) bytes; move reference material to docs/")
    }

    @Test func everyRelativeLinkLeadsToAFileAndHeadingThatExist() throws {
        let root = TestSupport.packageRoot
        let files = Self.markdownFiles()
        #expect(files.contains("docs/README.md") && files.count >= 10, "\(files)")
        var checked = 0
        for name in files {
            let folder = (name as NSString).deletingLastPathComponent
            for link in Self.relativeLinks(in: try Self.text(name)) {
                checked += 1
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let pathPart = String(parts[0])
                let target =
                    pathPart.isEmpty
                    ? name : ((folder as NSString).appendingPathComponent(pathPart) as NSString).standardizingPath
                var isFolder: ObjCBool = false
                let exists = FileManager.default.fileExists(
                    atPath: root.appendingPathComponent(target).path, isDirectory: &isFolder)
                #expect(exists, "\(name): link (\(link)) leads to \(target), which does not exist")
                guard exists, parts.count == 2, target.hasSuffix(".md") else { continue }
                let fragment = String(parts[1])
                #expect(
                    Self.anchors(in: try Self.text(target)).contains(fragment),
                    "\(name): link (\(link)): \(target) has no heading with the anchor #\(fragment)")
            }
        }
        #expect(checked >= 40, "only \(checked) relative links were found")
    }

    /// The rows of a Markdown table of settings: the setting's name → its flag and default columns.
    static func settingRows(in text: String) -> [String: (flag: String, defaultValue: String)] {
        var rows: [String: (flag: String, defaultValue: String)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            // A setting's row: its name is an environment variable (the products table is not one).
            guard cells.count >= 5, cells[1].wholeMatch(of: /`[A-Z][A-Z_]*`/) != nil else { continue }
            rows[cells[1]] = (cells[2], cells[3])
        }
        return rows
    }

    /// The README's short table of the settings a user touches first says what the full reference says.
    @Test func theReadmesSettingsAgreeWithTheReference() throws {
        let readme = Self.settingRows(in: try Self.text("README.md"))
        let reference = Self.settingRows(in: try Self.text("docs/reference/settings.md"))
        #expect(readme.count >= 5, "the README's settings table has \(readme.count) rows")
        for (name, row) in readme {
            let full = try #require(reference[name], "docs/reference/settings.md has no row for \(name)")
            #expect(
                row.flag == full.flag && row.defaultValue == full.defaultValue,
                "\(name): README \(row), reference \(full)")
        }
    }

    @Test func theLinkCheckerSeesBrokenLinksAndAnchors() {
        #expect(Self.relativeLinks(in: "see [a](docs/x.md#y) and [b](https://e.com) `[c](z.md)`") == ["docs/x.md#y"])
        #expect(Self.relativeLinks(in: "```\n[a](inside.md)\n```\n[b](out.md)") == ["out.md"])
        #expect(
            Self.anchor("Publishing: atomic releases, previous ones kept")
                == "publishing-atomic-releases-previous-ones-kept")
        #expect(
            Self.anchor("dcz and dcb deltas against the previous releases (RFC 9842)")
                == "dcz-and-dcb-deltas-against-the-previous-releases-rfc-9842")
        #expect(Self.anchors(in: "# A `b` c\n```\n# not\n```\n## D-e") == ["a-b-c", "d-e"])
    }

    /// A real manifest of two releases (the second after one stylesheet changed), with variants and
    /// deltas: every key it holds, at the top level, in a file's entry and in a release record, is
    /// named in docs/reference/manifest.md.
    @Test func theManifestReferenceNamesEveryKeyARunWrites() throws {
        // A stylesheet large enough that a delta against its previous version beats brotli.
        func stylesheet(_ changed: Int) -> String {
            (0..<300).map {
                ".rule-\($0) { color: #\(String(($0 * 7919 + (($0 == 150) ? changed : 0)) % 0xFFFFFF, radix: 16)); margin: \($0 % 13)px; }"
            }
            .joined(separator: "\n") + "\n.logo { background: url(../img/a.svg); }\n"
        }
        let project = CLI.project([
            "css/app.css": stylesheet(0),
            "img/a.svg": "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"10\" height=\"10\"/></svg>\n",
        ])
        defer { try? FileManager.default.removeItem(at: project) }
        let arguments = ["--noinput", "--dir", "src", "--static-root", "out", "--encodings", "br,zstd,gzip"]
        let first = CLI.run(arguments, in: project)
        #expect(first.status == 0, "\(first.stderr)")
        TestSupport.write(stylesheet(1), to: project.appendingPathComponent("src/css/app.css"))
        let second = CLI.run(arguments, in: project)
        #expect(second.status == 0, "\(second.stderr)")

        let data = try Data(contentsOf: project.appendingPathComponent("out/staticfiles.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var keys = Set(json.keys)
        let files = try #require(json["files"] as? [String: [String: Any]])
        for entry in files.values {
            keys.formUnion(entry.keys)
            // The variants by encoding, the deltas by dictionary digest (not a key: a value), and
            // what each variant or delta records.
            if let encodings = entry["encodings"] as? [String: [String: Any]] {
                keys.formUnion(encodings.keys)
                for variant in encodings.values { keys.formUnion(variant.keys) }
            }
            for coding in ["dcz", "dcb"] {
                for delta in (entry[coding] as? [String: [String: Any]])?.values ?? [:].values {
                    keys.formUnion(delta.keys)
                }
            }
        }
        let release = try #require(json["generation"] as? [String: Any])
        keys.formUnion(release.keys)
        let previous = try #require(json["previous"] as? [[String: Any]])
        for record in previous { keys.formUnion(record.keys) }
        // The run made what the reference describes: variants, a delta, a kept release.
        for key in [
            "paths", "version", "hash", "files", "compression", "generation", "previous", "size", "integrity",
            "encodings", "br", "sha256", "dcz", "id", "created", "retired",
        ] {
            #expect(keys.contains(key), "the manifest of two releases has no \(key)")
        }
        // Named in the prose (a key that only the example shows is not documented).
        let reference = Self.prose(try Self.text("docs/reference/manifest.md"))
        for key in keys.sorted() {
            #expect(
                reference.contains("`\(key)`") || reference.contains("\"\(key)\""), "manifest.md does not name \(key)")
        }
    }

    /// What docs/reference/manifest.md promises of our reader: keys it does not know, inside an
    /// entry or a release record, are ignored (the top level and `encodings` are in ManifestParsingTests).
    @Test func theReaderIgnoresUnknownKeysInsideEntriesAndReleases() throws {
        let json = #"""
            {"paths": {"a.css": "a.1.css"}, "version": "1.1", "hash": "h",
             "files": {"a.1.css": {"size": 3, "integrity": "sha384-x", "future": {"x": [1]},
                       "encodings": {"br": {"size": 2, "sha256": "00ff", "level": 11}}}},
             "generation": {"id": "g2", "created": "t2", "host": "ci"},
             "previous": [{"id": "g1", "created": "t1", "retired": "t2", "paths": {"a.css": "a.0.css"}, "note": 1}]}
            """#
        let manifest = try Manifest(data: Data(json.utf8), source: "m.json")
        #expect(
            manifest.files["a.1.css"]
                == ManifestEntry(
                    size: 3, integrity: "sha384-x", encodings: [.brotli: ManifestVariant(size: 2, sha256: "00ff")]))
        #expect(manifest.release?.id == "g2")
        #expect(
            manifest.previousReleases == [
                ReleaseRecord(id: "g1", created: "t1", retired: "t2", paths: ["a.css": "a.0.css"])
            ])
    }
}
