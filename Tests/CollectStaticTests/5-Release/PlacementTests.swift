import Foundation
import TestSupport
import Testing

@testable import CollectStatic

/// Stage 5 on plain values: a plan of originals placed into a staging tree and into a dry run's
/// tree, each counted Django's way; the dry run's tree writes nothing.
@Suite struct PlacementTests {
    func plan(_ ws: Workspace, published: String) throws -> ReleasePlan {
        let found = try Finder(roots: [SourceRoot(path: ws.sources.path)], ignorePatterns: []).find()
        let planner = ReleasePlanner(
            manifestName: "staticfiles.json", retention: Retention(), clear: false, link: false, cache: nil, now: Date()
        )
        return try planner.planOriginals(
            found.assets, current: PublishedState(root: published, manifest: nil, fromCache: false))
    }

    @Test func aStagingTreeGetsEveryFileAndADryRunNone() async throws {
        let ws = Workspace(["a.txt": "a", "b.txt": "b", "copy-of-a.txt": "a"])
        let published = ws.root.appendingPathComponent("published")
        try FileManager.default.createDirectory(at: published, withIntermediateDirectories: true)
        try Data("b".utf8).write(to: published.appendingPathComponent("b.txt"))
        let plan = try plan(ws, published: published.path)
        let placement = Placement(jobs: 2, cache: nil, observer: SilentObserver())

        let dry = try await placement.place(plan, into: DryRunTree(published: plan.current))
        #expect(dry == Placement.Counts(modified: 2, unmodified: 1))

        let stagingRoot = ws.root.appendingPathComponent("staging")
        let staging = TreeBuilder(root: stagingRoot.path, published: plan.current, complete: true)
        try staging.prepareFolders(for: plan.files.map(\.name))
        let placed = try await placement.place(plan, into: staging)
        #expect(placed == dry, "the dry run counts what the real placement does")
        #expect(TestSupport.files(in: stagingRoot) == ["a.txt", "b.txt", "copy-of-a.txt"])
        #expect(try String(contentsOf: stagingRoot.appendingPathComponent("copy-of-a.txt"), encoding: .utf8) == "a")
        // A file the published tree already holds is linked from it, not written again.
        let b = try #require(FileSystem.status(stagingRoot.path + "/b.txt"))
        #expect(try b.inode == #require(FileSystem.status(published.path + "/b.txt")).inode)
        #expect(TestSupport.files(in: published) == ["b.txt"], "the published tree is never written into")
    }
}
