import Foundation
import TestSupport
import Testing

/// README.md (Install): a package that depends on this one and uses `StaticAssets` builds the runtime
/// and nothing else: not the engine, not its C codecs, no web framework, no example and no benchmark
/// (those are no products, and the benchmarks are not even targets unless `COLLECTSTATIC_BENCHMARKS`
/// asks for them).
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
            "/usr/bin/env", ["swift", "build", "--package-path", dir.path, "--scratch-path", scratch.path],
            environment: environment)
        try #require(build.status == 0, "\(build.stdout)\n\(build.stderr)")
        let app = TestSupport.run(scratch.appendingPathComponent("debug/App").path, [])
        #expect(app.stdout == "css/app.0123456789ab.css\n")
        // The modules compiled for the dependent: ours is the runtime alone.
        let built = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("debug").path)
            .filter { $0.hasSuffix(".build") }.map { String($0.dropLast(".build".count)) }
        #expect(Set(built) == ["App", "StaticAssets"], "built: \(built.sorted())")
    }
}
