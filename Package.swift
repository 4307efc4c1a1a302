// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "collectstatic",
    products: [
        .executable(name: "collectstatic", targets: ["CollectStaticCLI"]),
        .library(name: "CollectStatic", targets: ["CollectStatic"]),
        .library(name: "StaticAssets", targets: ["StaticAssets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0"),
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
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "StaticAssetsTests", dependencies: ["StaticAssets", "TestSupport"]),
        .testTarget(name: "CollectStaticTests", dependencies: ["CollectStatic", "TestSupport"]),
        .testTarget(
            name: "CollectStaticCLITests",
            dependencies: ["CollectStaticCLI", "CollectStatic", "StaticAssets", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
