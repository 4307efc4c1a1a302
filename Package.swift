// swift-tools-version: 6.2
import PackageDescription

// Benchmarks are targets only when asked for (`COLLECTSTATIC_BENCHMARKS=1`, which the scripts under
// Benchmarks/ set), so a package that depends on this one never sees them; they are no products
// (each executable target is built by its own name: `swift build --product CollectStaticBenchmark`).
let benchmarks = Context.environment["COLLECTSTATIC_BENCHMARKS"] != nil

let package = Package(
    name: "collectstatic",
    products: [
        .executable(name: "collectstatic", targets: ["CollectStaticCLI"]),
        .library(name: "CollectStatic", targets: ["CollectStatic"]),
        .library(name: "StaticAssets", targets: ["StaticAssets"]),
        .library(name: "CollectStaticS3", targets: ["CollectStaticS3"]),
        .library(name: "StaticAssetsRemote", targets: ["StaticAssetsRemote"]),
        .library(name: "StaticAssetsServer", targets: ["StaticAssetsServer"]),
        .library(name: "StaticAssetsHummingbird", targets: ["StaticAssetsHummingbird"]),
        .library(name: "StaticAssetsStencil", targets: ["StaticAssetsStencil"]),
        .library(name: "StaticAssetsMustache", targets: ["StaticAssetsMustache"]),
        .library(name: "StaticAssetsLeaf", targets: ["StaticAssetsLeaf"]),
        .library(name: "StaticAssetsVapor", targets: ["StaticAssetsVapor"]),
        .library(name: "StaticAssetsVaporLeaf", targets: ["StaticAssetsVaporLeaf"]),
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
        // HTTP1ToHTTPServerCodec and the swift-http-types parts of Hummingbird's HTTP/1 channel (file regions).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        // Serving middleware; service-lifecycle and log only for its tests and the example app.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        // Object storage (CollectStaticS3): HTTP only; SigV4 is ours, over swift-crypto.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Vapor middleware and its Leaf tags (StaticAssetsVapor, StaticAssetsVaporLeaf).
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/vapor/leaf", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Brotli with a raw prefix dictionary (`dcb`) where libbrotli >= 1.1.0: C, so that the header
        // check (`__has_include(<brotli/shared_dictionary.h>)`) decides at build time; CBrotli brings
        // pkg-config's flags for libbrotlienc.
        .target(name: "CBrotliDictionary", dependencies: ["CBrotli"]),
        // Linux calls Swift's Glibc module does not declare (renameat2, copy_file_range, mallopt,
        // malloc_trim), with their real prototypes.
        .target(name: "CLinux"),
        // Runtime: Foundation only, never depends on the engine.
        .target(name: "StaticAssets"),
        // Engine: the pipeline, one concept per file. Linux (glibc 2.28+) only: publishing switches
        // trees with renameat2(RENAME_EXCHANGE) and copies with copy_file_range.
        .target(
            name: "CollectStatic",
            dependencies: [
                "StaticAssets", "CZlib", "CBrotli", "CBrotliDictionary", "CZstd", "CLinux",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Configuration", package: "swift-configuration"),
            ]
        ),
        // Object storage: SigV4 over swift-crypto, requests over AsyncHTTPClient, the bucket publisher.
        .target(
            name: "CollectStaticS3",
            dependencies: [
                "CollectStatic", "StaticAssets", "StaticAssetsServer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        // CLI: a thin shell over the engine.
        .executableTarget(
            name: "CollectStaticCLI",
            dependencies: [
                "CollectStatic", "CollectStaticS3", "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Serving: a framework-neutral responder (Foundation + StaticAssets only) and its Hummingbird adapter.
        // The manifest read over HTTP(S) (FoundationNetworking, so libcurl on Linux): its own target, so
        // that an app serving STATIC_ROOT from its image links neither.
        .target(name: "StaticAssetsRemote", dependencies: ["StaticAssets"]),
        .target(name: "StaticAssetsServer", dependencies: ["StaticAssets"]),
        // File bodies as NIO buffers, for both framework adapters.
        .target(
            name: "StaticAssetsNIO", dependencies: ["StaticAssets", .product(name: "NIOCore", package: "swift-nio")]),
        .target(
            name: "StaticAssetsHummingbird",
            dependencies: [
                "StaticAssetsServer", "StaticAssetsNIO", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ]
        ),
        // Vapor adapter: the middleware, `app.staticAssets` and `req.staticAssets`; Leaf tags for Vapor's renderer
        // in their own target so that an app without Leaf does not build it.
        .target(
            name: "StaticAssetsVapor",
            dependencies: [
                "StaticAssets", "StaticAssetsServer", "StaticAssetsNIO", .product(name: "Vapor", package: "vapor"),
            ]
        ),
        .target(
            name: "StaticAssetsVaporLeaf",
            dependencies: [
                "StaticAssetsVapor", "StaticAssetsLeaf", .product(name: "Leaf", package: "leaf"),
                .product(name: "Vapor", package: "vapor"),
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
        // Example app (README): Hummingbird + Mustache over a collected STATIC_ROOT.
        .executableTarget(
            name: "StaticAssetsExample",
            dependencies: [
                "StaticAssets", "StaticAssetsServer", "StaticAssetsHummingbird", "StaticAssetsMustache",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Examples/HummingbirdMustacheApp"
        ),
        // Example app (README): Vapor + Leaf over a collected STATIC_ROOT.
        .executableTarget(
            name: "StaticAssetsVaporExample",
            dependencies: [
                "StaticAssetsVapor", "StaticAssetsVaporLeaf", .product(name: "Vapor", package: "vapor"),
                .product(name: "Leaf", package: "leaf"),
            ],
            path: "Examples/VaporLeafApp"
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "StaticAssets", "CZlib", "CBrotli", "CZstd", .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "StaticAssetsTests", dependencies: ["StaticAssets", "TestSupport"]),
        .testTarget(name: "CollectStaticTests", dependencies: ["CollectStatic", "TestSupport"]),
        .testTarget(
            name: "CollectStaticS3Tests",
            dependencies: [
                "CollectStaticS3", "CollectStatic", "CollectStaticCLI", "StaticAssets", "StaticAssetsRemote", "StaticAssetsServer",
                "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "CollectStaticCLITests",
            dependencies: ["CollectStaticCLI", "StaticAssetsExample", "CollectStatic", "StaticAssets", "TestSupport"]
        ),
        .testTarget(
            name: "StaticAssetsServerTests",
            dependencies: ["StaticAssetsServer", "StaticAssets", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "StaticAssetsHummingbirdTests",
            dependencies: [
                "StaticAssetsHummingbird", "StaticAssetsServer", "StaticAssets", "CollectStatic", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
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
        .testTarget(
            name: "StaticAssetsVaporTests",
            dependencies: [
                "StaticAssetsVapor", "StaticAssetsVaporLeaf", "StaticAssetsVaporExample", "StaticAssetsServer",
                "StaticAssets", "CollectStatic", "TestSupport", .product(name: "Vapor", package: "vapor"),
                .product(name: "VaporTesting", package: "vapor"), .product(name: "Leaf", package: "leaf"),
            ]
        ),
        // The same table of requests against the responder, the Hummingbird middleware and the Vapor
        // middleware (Tests/TestSupport/Conformance).
        .testTarget(
            name: "ConformanceTests",
            dependencies: [
                "StaticAssetsServer", "StaticAssetsHummingbird", "StaticAssetsVapor", "StaticAssets", "CollectStatic",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "Vapor", package: "vapor"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

if benchmarks {
    package.targets += [
        // Release-build benchmark: Benchmarks/run.sh.
        .executableTarget(
            name: "CollectStaticBenchmark", dependencies: ["CollectStatic", "StaticAssets"],
            path: "Benchmarks/CollectStaticBenchmark"
        ),
        // Serving benchmark: Benchmarks/serve/run.sh.
        .executableTarget(
            name: "StaticAssetsServeBenchmark",
            dependencies: [
                "StaticAssetsHummingbird", "StaticAssetsVapor", "StaticAssetsServer", "StaticAssets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "Vapor", package: "vapor"),
            ],
            path: "Benchmarks/serve",
            exclude: ["run.sh"]
        ),
    ]
}
