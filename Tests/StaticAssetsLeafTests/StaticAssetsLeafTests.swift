import LeafKit
import NIOCore
import NIOEmbedded
import StaticAssets
import StaticAssetsLeaf
import TestSupport
import Testing

/// Templates held in memory, keyed by name.
struct MemorySource: LeafSource {
    let templates: [String: String]

    func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws -> EventLoopFuture<ByteBuffer> {
        guard let text = templates[template] else {
            return eventLoop.makeFailedFuture(LeafError(.noTemplateExists(template)))
        }
        return eventLoop.makeSucceededFuture(ByteBuffer(string: text))
    }
}

@Suite struct StaticAssetsLeafTests {
    func render(
        _ template: String, _ context: [String: LeafData] = [:], assets: AssetResolver = SampleManifest.resolver()
    ) async throws -> String {
        let renderer = LeafRenderer(
            configuration: LeafConfiguration(rootDirectory: "/"),
            tags: defaultTags.merging(assets.leafTags) { $1 },
            sources: .singleSource(MemorySource(templates: ["page": template])),
            eventLoop: EmbeddedEventLoop())
        let buffer = try await renderer.render(path: "page", context: context).get()
        return String(buffer: buffer)
    }

    @Test func literalNameRendersHashedURLAndIntegrity() async throws {
        let output = try await render(
            """
            <link rel="stylesheet" href="#static("css/app.css")" integrity="#staticIntegrity("css/app.css")" \
            crossorigin="anonymous">#uppercased("ok")
            """)
        #expect(
            output == """
                <link rel="stylesheet" href="/static/css/app.3f2a9c1b7d4e.css" integrity="\(SampleManifest.appCSSIntegrity)" \
                crossorigin="anonymous">OK
                """)
    }

    @Test func nameFromContextVariableInsideLoop() async throws {
        let output = try await render(
            "#for(script in scripts):<script src=\"#static(script)\"></script>#endfor",
            ["scripts": .array([.string("js/app.js"), .string("/css/app.css")])])
        #expect(
            output == "<script src=\"/static/js/app.5d41402abc4b.js\"></script>"
                + "<script src=\"/static/css/app.3f2a9c1b7d4e.css\"></script>")
    }

    @Test func percentEncodedOnceAndQueryAmpersandHTMLEscaped() async throws {
        let output = try await render(##"<img src="#static("img/my logo ü.png")"> #static("css/app.css?v=1&t=2")"##)
        #expect(
            output
                == #"<img src="/static/img/my%20logo%20%C3%BC.0123456789ab.png"> /static/css/app.3f2a9c1b7d4e.css?v=1&amp;t=2"#
        )
    }

    @Test func strictMissingNameThrowsTheTypedError() async {
        await #expect(throws: SampleManifest.missing) {
            try await render("<link href=\"#static(\"css/missing.css\")\">")
        }
        await #expect(throws: AssetLookupError.notInManifest(name: "js/gone.js")) {
            try await render("#staticIntegrity(\"js/gone.js\")")
        }
    }

    @Test func debugModeRendersUnhashedURLAndEmptyIntegrity() async throws {
        let output = try await render(
            "#static(\"css/missing.css\") [#staticIntegrity(\"css/app.css\")]",
            assets: SampleManifest.resolver(mode: .debug))
        #expect(output == "/static/css/missing.css []")
    }

    @Test func cdnStaticURL() async throws {
        let output = try await render(
            "#static(\"css/app.css\")", assets: SampleManifest.resolver(staticURL: "https://cdn.example.com/static/"))
        #expect(output == "https://cdn.example.com/static/css/app.3f2a9c1b7d4e.css")
    }

    @Test func missingArgumentIsALeafError() async {
        await #expect(throws: LeafError.self) { try await render("#static()") }
        await #expect(throws: LeafError.self) { try await render("#static(nothing)") }
    }
}
