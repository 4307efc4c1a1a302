import Foundation
import TestSupport
import Testing

/// README.md (Install): an app that depends on this package and uses `StaticAssets` builds the runtime
/// and nothing else (not the engine, not its C codecs, no web framework); the examples and the
/// benchmarks are no products, so no dependent can build them (and the benchmarks are not even
/// targets unless `COLLECTSTATIC_BENCHMARKS` asks for them).
@Suite(.serialized) struct DependentPackageTests {
    @Test(.timeLimit(.minutes(15))) func aDependentThatUsesTheRuntimeBuildsOnlyTheRuntime() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "collectstatic-dependent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sources = dir.appendingPathComponent("Sources/App")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        try """
        // swift-tools-version: 6.2
        import PackageDescription

        let package = Package(
            name: "Dependent",
            dependencies: [.package(path: "\(TestSupport.packageRoot.path)")],
            targets: [
                .executableTarget(
                    name: "App", dependencies: [.product(name: "StaticAssets", package: "\(TestSupport.packageRoot.lastPathComponent)")])
            ]
        )

        """.write(to: dir.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try """
        import StaticAssets

        print(HashedName.make("css/app.css", hash: "0123456789ab"))

        """.write(to: sources.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["COLLECTSTATIC_BENCHMARKS"] = nil
        let scratch = dir.appendingPathComponent(".build")
        let build = TestSupport.run(
            "/usr/bin/env",
            ["swift", "build", "--package-path", dir.path, "--scratch-path", scratch.path, "--product", "App"],
            environment: environment)
        try #require(build.status == 0, "\(build.stdout)\n\(build.stderr)")
        let app = TestSupport.run(scratch.appendingPathComponent("debug/App").path, [])
        #expect(app.stdout == "css/app.0123456789ab.css\n")
        // The modules compiled for the dependent (SwiftPM makes an empty `X.build` folder for every
        // target of the graph; a compiled one leaves its module in `Modules`): ours is the runtime alone.
        let built = try FileManager.default.contentsOfDirectory(
            atPath: scratch.appendingPathComponent("debug/Modules").path
        ).filter { $0.hasSuffix(".swiftmodule") }.map { String($0.dropLast(".swiftmodule".count)) }
        #expect(Set(built) == ["App", "StaticAssets"], "built: \(built.sorted())")
    }

    @Test func examplesAndBenchmarksAreNoProducts() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["COLLECTSTATIC_BENCHMARKS"] = nil
        // Its own scratch folder: the `swift test` running this holds the lock of the package's own.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("collectstatic-dump-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dump = TestSupport.run(
            "/usr/bin/env",
            [
                "swift", "package", "--package-path", TestSupport.packageRoot.path, "--scratch-path", scratch.path,
                "dump-package",
            ], environment: environment)
        try #require(dump.status == 0, "\(dump.stderr)")
        let package = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let products = try #require(package["products"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        let targets = try #require(package["targets"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(products.contains("StaticAssets") && products.contains("collectstatic"))
        #expect(!products.contains { $0.contains("Example") || $0.contains("Benchmark") || $0.contains("benchmark") })
        #expect(targets.contains("StaticAssetsExample"), "the examples are targets (built and tested here)")
        #expect(!targets.contains { $0.contains("Benchmark") }, "benchmarks are targets only when asked for")
    }
}
