import Mustache
import StaticAssets
import StaticAssetsMustache
import TestSupport
import Testing

@Suite struct StaticAssetsMustacheTests {
    struct Page {
        let title: String
        let user: User?
        struct User { let name: String }
    }

    func render(
        _ template: String, _ object: Any = ["title": "Home"], assets: AssetResolver = SampleManifest.resolver()
    )
        throws -> String
    {
        try MustacheTemplate(string: template).render(object, assets: assets)
    }

    @Test func sectionLambdasRenderHashedURLAndIntegrity() throws {
        let output = try render(
            """
            <title>{{title}}</title><link rel="stylesheet" href="{{#static}}css/app.css{{/static}}" \
            integrity="{{#static_integrity}} css/app.css {{/static_integrity}}" crossorigin="anonymous">
            """)
        #expect(
            output == """
                <title>Home</title><link rel="stylesheet" href="/static/css/app.3f2a9c1b7d4e.css" \
                integrity="\(SampleManifest.appCSSIntegrity)" crossorigin="anonymous">
                """)
    }

    @Test func wrappedStructKeepsItsKeysAndLambdasWorkInsideSections() throws {
        let page = Page(title: "A & B", user: .init(name: "Ann"))
        let output = try render(
            "{{title}}|{{#user}}{{name}} <script src=\"{{#static}}js/app.js{{/static}}\"></script>{{/user}}|{{user.name}}",
            page)
        #expect(output == "A &amp; B|Ann <script src=\"/static/js/app.5d41402abc4b.js\"></script>|Ann")
    }

    @Test func libraryRenderWithPartials() throws {
        var library = MustacheLibrary()
        try library.register("<script src=\"{{#static}}js/app.js{{/static}}\"></script>", named: "scripts")
        try library.register("<body>{{title}}{{> scripts}}</body>", named: "page")
        let output = try library.render(["title": "Home"], withTemplate: "page", assets: SampleManifest.resolver())
        #expect(output == "<body>Home<script src=\"/static/js/app.5d41402abc4b.js\"></script></body>")
        #expect(try library.render([:], withTemplate: "nope", assets: SampleManifest.resolver()) == nil)
    }

    @Test func percentEncodedOnceAndQueryAmpersandHTMLEscaped() throws {
        let output = try render("{{#static}}img/my logo ü.png{{/static}} {{#static}}css/app.css?v=1&t=2{{/static}}")
        #expect(
            output == "/static/img/my%20logo%20%C3%BC.0123456789ab.png /static/css/app.3f2a9c1b7d4e.css?v=1&amp;t=2")
    }

    @Test func strictMissingNameThrowsTheTypedError() {
        #expect(throws: SampleManifest.missing) {
            try render("<link href=\"{{#static}}css/missing.css{{/static}}\">")
        }
        #expect(throws: AssetLookupError.notInManifest(name: "js/gone.js")) {
            try render("{{#static_integrity}}js/gone.js{{/static_integrity}}")
        }
    }

    @Test func debugModeRendersUnhashedURLAndEmptyIntegrity() throws {
        let output = try render(
            "{{#static}}css/missing.css{{/static}} [{{#static_integrity}}css/app.css{{/static_integrity}}]",
            assets: SampleManifest.resolver(mode: .debug))
        #expect(output == "/static/css/missing.css []")
    }

    @Test func cdnStaticURL() throws {
        let output = try render(
            "{{#static}}css/app.css{{/static}}",
            assets: SampleManifest.resolver(staticURL: "https://cdn.example.com/static/"))
        #expect(output == "https://cdn.example.com/static/css/app.3f2a9c1b7d4e.css")
    }

    @Test func contextKeyNamedStaticShadowsTheLambda() throws {
        #expect(try render("{{#static}}x{{/static}}", ["static": false]) == "")
    }
}
