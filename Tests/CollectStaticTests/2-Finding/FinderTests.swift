import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

@Suite struct FinderTests {
    let plain = TestSupport.fixtures.appendingPathComponent("plain")

    @Test func firstRootWinsAndDefaultIgnoresApply() throws {
        let finder = Finder(
            roots: [
                SourceRoot(path: plain.appendingPathComponent("root-a").path),
                SourceRoot(path: plain.appendingPathComponent("root-b").path),
            ], ignorePatterns: Configuration.defaultIgnorePatterns)
        let found = try finder.find()
        let names = found.assets.map(\.logicalPath)
        #expect(names.contains("css/app.css"))
        #expect(names.contains("css/only-b.css"))
        #expect(
            !names.contains {
                $0.hasPrefix("CVS") || $0.contains(".hidden") || $0.hasSuffix("~") || $0.hasSuffix(".keep")
            })
        #expect(found.assets.first { $0.logicalPath == "css/app.css" }!.filePath.contains("root-a"))
        #expect(found.shadowed.map(\.logicalPath) == ["css/app.css"])
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    @Test func prefixesAndRelativePathPatterns() throws {
        let ws = Workspace(["a/keep.css": "", "a/skip.map": "", "b/skip.map": "", "top.map": ""])
        let finder = Finder(roots: [SourceRoot(prefix: "vendor/x", path: ws.sources.path)], ignorePatterns: ["a/*.map"])
        let names = try finder.find().assets.map(\.logicalPath)
        // "a/*.map" matches the path relative to the root (not the prefixed one); "*" crosses "/" like fnmatch.
        #expect(names == ["vendor/x/a/keep.css", "vendor/x/b/skip.map", "vendor/x/top.map"])
    }

    @Test func foldersMatchOnlyTheirBasename() throws {
        let ws = Workspace(["node_modules/x.js": "", "lib/node_modules/y.js": "", "lib/z.js": ""])
        let names = try Finder(
            roots: [SourceRoot(path: ws.sources.path)], ignorePatterns: ["node_modules", "lib/node_modules"]
        )
        .find().assets.map(\.logicalPath)
        #expect(names == ["lib/z.js"])
    }

    @Test func symlinkLoopIsAnError() throws {
        let ws = Workspace(["a/file.css": ""])
        try FileManager.default.createSymbolicLink(
            atPath: ws.sources.appendingPathComponent("a/loop").path,
            withDestinationPath: ws.sources.appendingPathComponent("a").path)
        #expect {
            try Finder(roots: [SourceRoot(path: ws.sources.path)], ignorePatterns: []).find()
        } throws: { error in
            "\(error)".contains("symlink loop") && "\(error)".contains("a/loop")
        }
    }

    @Test func symlinkedFilesAndFoldersAreFollowed() throws {
        let ws = Workspace(["real/x.css": "x"])
        let other = TestSupport.temporaryDirectory("linked")
        TestSupport.write("y", to: other.appendingPathComponent("y.css"))
        try FileManager.default.createSymbolicLink(
            atPath: ws.sources.appendingPathComponent("linked").path, withDestinationPath: other.path)
        let names = try Finder(roots: [SourceRoot(path: ws.sources.path)], ignorePatterns: []).find().assets.map(
            \.logicalPath)
        #expect(names == ["linked/y.css", "real/x.css"])
    }

    @Test func locateListsEveryCandidateInOrder() {
        let finder = Finder(
            roots: [
                SourceRoot(path: plain.appendingPathComponent("root-a").path),
                SourceRoot(path: plain.appendingPathComponent("root-b").path),
            ], ignorePatterns: [])
        let found = finder.locate("css/app.css")
        #expect(found.count == 2)
        #expect(found[0].filePath.hasSuffix("root-a/css/app.css"))
        #expect(finder.locate("../plain/root-a/css/app.css").isEmpty)
    }
}
