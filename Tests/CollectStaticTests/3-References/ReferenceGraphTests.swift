import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

/// Fingerprints through the reference graph: dependency order, propagation, cycles, missing files.
@Suite struct ReferenceGraphTests {
    @Test func hashOfARewrittenFileIsTheHashOfItsFinalBytes() async throws {
        let ws = Workspace(["img/a.png": "A", "css/app.css": ".x { background: url(../img/a.png); }\n"])
        try await ws.collect()
        let manifest = try ws.manifest()
        let hashedCSS = manifest.paths["css/app.css"]!
        let bytes = try Data(contentsOf: ws.staticRoot.appendingPathComponent(hashedCSS))
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == ".x { background: url(\"../img/\((manifest.paths["img/a.png"]! as NSString).lastPathComponent)\"); }\n"
        )
        #expect(hashedCSS == HashedName.make("css/app.css", hash: ContentDigest(of: [UInt8](bytes)).fingerprint))
        // The original keeps the source bytes.
        #expect(ws.output("css/app.css") == ".x { background: url(../img/a.png); }\n")
    }

    @Test func aChangedImageRenamesEveryStylesheetThatReachesIt() async throws {
        let ws = Workspace([
            "img/a.png": "A", "css/base.css": ".b { background: url(../img/a.png); }",
            "css/app.css": "@import \"base.css\";", "css/unrelated.css": ".u {}",
        ])
        try await ws.collect()
        let before = try ws.manifest()
        ws.write("img/a.png", "A, edited")
        try await ws.collect()
        let after = try ws.manifest()
        for name in ["img/a.png", "css/base.css", "css/app.css"] {
            #expect(before.paths[name] != after.paths[name], "\(name)")
        }
        #expect(before.paths["css/unrelated.css"] == after.paths["css/unrelated.css"])
        let app = ws.output(after.paths["css/app.css"]!)!
        #expect(app == "@import url(\"\((after.paths["css/base.css"]! as NSString).lastPathComponent)\");")
    }

    @Test func cyclesSucceedDeterministicallyAndChangeTogether() async throws {
        let files = [
            "a.css": "@import \"b.css\";\n.a { background: url(self.css#top); }\n",
            "b.css": "@import \"a.css\";\n.b {}\n", "self.css": ".s { background: url(\"self.css#x\"); }\n",
        ]
        let one = Workspace(files)
        let two = Workspace(files)
        try await one.collect { $0.jobs = 1 }
        try await two.collect { $0.jobs = 4 }
        let manifest = try one.manifest()
        #expect(manifest.paths == (try two.manifest()).paths)
        let a = one.output(manifest.paths["a.css"]!)!
        let b = one.output(manifest.paths["b.css"]!)!
        #expect(a.contains("@import url(\"\(manifest.paths["b.css"]!)\")"))
        #expect(b.contains("@import url(\"\(manifest.paths["a.css"]!)\")"))
        #expect(one.output(manifest.paths["self.css"]!)!.contains("url(\"\(manifest.paths["self.css"]!)#x\")"))
        // Editing one member renames both.
        one.write("b.css", "@import \"a.css\";\n.b { color: red; }\n")
        try await one.collect()
        let edited = try one.manifest()
        #expect(edited.paths["a.css"] != manifest.paths["a.css"])
        #expect(edited.paths["b.css"] != manifest.paths["b.css"])
        #expect(edited.paths["self.css"] == manifest.paths["self.css"])
    }

    @Test func everyMissingReferenceIsReportedAtOnceAndNothingIsPublished() async throws {
        let ws = Workspace([
            "css/app.css":
                ".ok { background: url(ok.png); }\n.gone {\n  background: url(\"../img/nope.png\");\n}\n.x { src: url(font.woff2); }",
            "css/ok.png": "ok", "js/app.js": "x();\n//# sourceMappingURL=app.js.map\n",
        ])
        try await ws.collect { $0.missingReferences = .warn }
        let old = try ws.manifest()
        ws.write("css/ok.png", "ok, edited")
        await #expect {
            try await ws.collect()
        } throws: { error in
            guard case .missingReferences(let missing)? = error as? CollectStaticError else { return false }
            return missing.first.map(\.description) == [
                "css/app.css:3:15: url(\"../img/nope.png\") → img/nope.png not found",
                "css/app.css:5:11: url(font.woff2) → css/font.woff2 not found",
                "js/app.js:2:1: //# sourceMappingURL=app.js.map → js/app.js.map not found",
            ]
        }
        #expect(try ws.manifest() == old)
        #expect(ws.output("css/ok.png") == "ok")
    }

    @Test func missingReferencesCanBeWarningsOrExpected() async throws {
        let ws = Workspace(["a.css": ".x { background: url(nope.png); }\n/*# sourceMappingURL=a.css.map */"])
        let report = try await ws.collect { $0.missingReferences = .warn }
        #expect(report.warnings.count == 2)
        #expect(
            ws.output(try ws.manifest().paths["a.css"]!)
                == ".x { background: url(nope.png); }\n/*# sourceMappingURL=a.css.map */")
        await #expect(throws: CollectStaticError.self) {
            try await ws.collect { $0.missingReferenceIgnore = ["*.map"] }
        }
        let ignored = try await ws.collect { $0.missingReferenceIgnore = ["*.map", "nope.*"] }
        #expect(ignored.warnings.count == 2)
    }

    @Test func pathsEscapingTheTreeAreMissingAndNeverRead() async throws {
        let ws = Workspace(["css/a.css": ".x { background: url(../../../../../../etc/passwd); }"])
        await #expect {
            try await ws.collect()
        } throws: { error in
            "\(error)".contains("../../../../../etc/passwd not found")
        }
        try await ws.collect { $0.missingReferences = .warn }
        #expect(!ws.outputFiles.contains { $0.contains("passwd") })
    }

    @Test func referencesResolveOnlyAgainstThisRunsSources() async throws {
        let ws = Workspace(["a.css": ".x { background: url(stale.png); }", "stale.png": "old"])
        try await ws.collect()
        try FileManager.default.removeItem(at: ws.sources.appendingPathComponent("stale.png"))
        // stale.png is still in STATIC_ROOT from the previous run; it must not satisfy the reference.
        #expect(FileManager.default.fileExists(atPath: ws.staticRoot.appendingPathComponent("stale.png").path))
        await #expect {
            try await ws.collect()
        } throws: { error in
            "\(error)".contains("stale.png not found")
        }
    }

    @Test func externalReferencesAreLeftAlone() async throws {
        let css = """
            .a { background: url(HTTP://example.com/a.png); }
            .b { background: url(data:image/png;base64,AAAA); }
            .c { background: url(//cdn.example.com/c.png); }
            .d { filter: url(#f); }
            .e { background: url(/media/e.png); }
            .f { background: url(blob:xyz); }
            """
        let ws = Workspace(["a.css": css])
        try await ws.collect()
        #expect(ws.output(try ws.manifest().paths["a.css"]!) == css)
    }

    @Test func staticURLAbsoluteReferencesStayAbsolute() async throws {
        let ws = Workspace(["img/a.png": "A", "css/a.css": ".x { background: url(/assets/img/a.png?v=1#frag); }"])
        try await ws.collect { $0.staticURL = "/assets/" }
        let manifest = try ws.manifest()
        #expect(
            ws.output(manifest.paths["css/a.css"]!)
                == ".x { background: url(\"/assets/\(manifest.paths["img/a.png"]!)?v=1#frag\"); }")
    }

    @Test func percentEncodedReferencesAreDecodedLikeDjango() async throws {
        // Django's url_converter writes the url percent-decoded; a `%`, `?`, `#` or `"` of a real
        // file name stays encoded so the url still names that file.
        let ws = Workspace([
            "img/a b.png": "A", "img/100%.png": "P", "img/q?.png": "Q",
            "css/a.css": ".x { background: url(../img/a%20b.png); } .y { background: url(../img/100%25.png?v=%31); }",
            "css/b.css": ".z { background: url(../img/q%3F.png); }",
        ])
        try await ws.collect()
        let manifest = try ws.manifest()
        func hash(_ name: String) -> Substring { manifest.paths[name]!.split(separator: ".").dropLast().last! }
        #expect(
            ws.output(manifest.paths["css/a.css"]!)
                == ".x { background: url(\"../img/a b.\(hash("img/a b.png")).png\"); } .y { background: url(\"../img/100%25.\(hash("img/100%.png")).png?v=1\"); }"
        )
        #expect(
            ws.output(manifest.paths["css/b.css"]!)
                == ".z { background: url(\"../img/q%3F.\(hash("img/q?.png")).png\"); }")
    }

    @Test func aFolderWrittenWithoutItsSlashIsLeftAloneLikeDjango() async throws {
        let ws = Workspace([
            "img/a.png": "A", "css/a.css": ".x { background: url(../img); } .y { background: url(.); }",
        ])
        try await ws.collect()
        let manifest = try ws.manifest()
        #expect(ws.output(manifest.paths["css/a.css"]!) == ".x { background: url(../img); } .y { background: url(.); }")
    }

    @Test func invalidUTF8IsAnErrorWithTheOffsetOrCopiedOnRequest() async throws {
        let ws = Workspace(["img/a.png": "A"])
        ws.write("bad.css", bytes: Array(".x { background: url(img/a.png); } ".utf8) + [0xC3, 0x28] + Array("\n".utf8))
        await #expect {
            try await ws.collect()
        } throws: { error in
            guard case .invalidUTF8(let path, let offset)? = error as? CollectStaticError else { return false }
            return path.hasSuffix("bad.css") && offset == 35
        }
        try await ws.collect { $0.invalidUTF8 = .copy }
        let manifest = try ws.manifest()
        #expect(
            try Data(contentsOf: ws.staticRoot.appendingPathComponent(manifest.paths["bad.css"]!))
                == Data(contentsOf: ws.sources.appendingPathComponent("bad.css")))
    }

    @Test func javaScriptModulesOnlyWhenEnabled() async throws {
        let ws = Workspace([
            "js/app.mjs": "import { x } from './x.mjs';\nexport * from \"./y.js\";\n",
            "js/x.mjs": "export const x = 1;", "js/y.js": "export const y = 2;",
        ])
        try await ws.collect()
        var manifest = try ws.manifest()
        #expect(ws.output(manifest.paths["js/app.mjs"]!) == "import { x } from './x.mjs';\nexport * from \"./y.js\";\n")
        try await ws.collect { $0.jsModules = true }
        manifest = try ws.manifest()
        let x = (manifest.paths["js/x.mjs"]! as NSString).lastPathComponent
        let y = (manifest.paths["js/y.js"]! as NSString).lastPathComponent
        #expect(
            ws.output(manifest.paths["js/app.mjs"]!) == "import { x } from \"./\(x)\";\nexport * from \"./\(y)\";\n")
    }
}
