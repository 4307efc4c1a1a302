// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "collectstatic",
    products: [
        .executable(name: "collectstatic", targets: ["CollectStaticCLI"]),
        .executable(name: "collectstatic-benchmark", targets: ["CollectStaticBenchmark"]),
        .library(name: "CollectStatic", targets: ["CollectStatic"]),
        .library(name: "StaticAssets", targets: ["StaticAssets"]),
        .library(name: "StaticAssetsStencil", targets: ["StaticAssetsStencil"]),
        .library(name: "StaticAssetsMustache", targets: ["StaticAssetsMustache"]),
        .library(name: "StaticAssetsLeaf", targets: ["StaticAssetsLeaf"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0"),
        // Template engines, each used only by its own integration target.
        .package(url: "https://github.com/stencilproject/Stencil", from: "0.15.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/leaf-kit", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),
        // Runtime: Foundation only, never depends on the engine.
        .target(name: "StaticAssets"),
        // Engine: the pipeline, one concept per file.
        .target(
            name: "CollectStatic",
            dependencies: [
                "StaticAssets", "CZlib", "CBrotli",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Configuration", package: "swift-configuration"),
            ]
        ),
        // CLI: a thin shell over the engine.
        .executableTarget(
            name: "CollectStaticCLI",
            dependencies: [
                "CollectStatic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Template engines: one small adapter each, depending only on StaticAssets and the engine.
        .target(
            name: "StaticAssetsStencil", dependencies: ["StaticAssets", .product(name: "Stencil", package: "Stencil")]),
        .target(
            name: "StaticAssetsMustache",
            dependencies: ["StaticAssets", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(
            name: "StaticAssetsLeaf", dependencies: ["StaticAssets", .product(name: "LeafKit", package: "leaf-kit")]),
        // Release-build benchmark: Benchmarks/run.sh.
        .executableTarget(
            name: "CollectStaticBenchmark", dependencies: ["CollectStatic", "StaticAssets"],
            path: "Benchmarks/CollectStaticBenchmark"
        ),
        .target(name: "TestSupport", dependencies: ["StaticAssets"], path: "Tests/TestSupport"),
        .testTarget(name: "StaticAssetsTests", dependencies: ["StaticAssets", "TestSupport"]),
        .testTarget(name: "CollectStaticTests", dependencies: ["CollectStatic", "TestSupport"]),
        .testTarget(
            name: "CollectStaticCLITests",
            dependencies: ["CollectStaticCLI", "CollectStatic", "StaticAssets", "TestSupport"]
        ),
        .testTarget(
            name: "StaticAssetsStencilTests",
            dependencies: [
                "StaticAssetsStencil", "StaticAssets", "TestSupport", .product(name: "Stencil", package: "Stencil"),
            ]
        ),
        .testTarget(
            name: "StaticAssetsMustacheTests",
            dependencies: [
                "StaticAssetsMustache", "StaticAssets", "TestSupport",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .testTarget(
            name: "StaticAssetsLeafTests",
            dependencies: [
                "StaticAssetsLeaf", "StaticAssets", "TestSupport", .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
