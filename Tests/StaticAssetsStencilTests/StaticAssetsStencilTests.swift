import StaticAssets
import StaticAssetsStencil
import Stencil
import TestSupport
import Testing

@Suite struct StaticAssetsStencilTests {
    func render(
        _ template: String, _ context: [String: Any] = ["page": "home"],
        assets: AssetResolver = SampleManifest.resolver()
    )
        throws -> String
    {
        let environment = Environment(extensions: [StaticAssetsExtension(resolver: assets)])
        return try environment.renderTemplate(string: template, context: context)
    }

    @Test func literalNameRendersHashedURLAndIntegrity() throws {
        let output = try render(
            """
            <link rel="stylesheet" href="{% static "css/app.css" %}" integrity="{% static_integrity 'css/app.css' %}" \
            crossorigin="anonymous">
            """)
        #expect(
            output == """
                <link rel="stylesheet" href="/static/css/app.3f2a9c1b7d4e.css" integrity="\(SampleManifest.appCSSIntegrity)" \
                crossorigin="anonymous">
                """)
    }

    @Test func nameFromContextVariableInsideLoop() throws {
        let output = try render(
            "{% for script in scripts %}<script src=\"{% static script %}\"></script>{% endfor %}",
            ["scripts": ["js/app.js", "/css/app.css"]])
        #expect(
            output == "<script src=\"/static/js/app.5d41402abc4b.js\"></script>"
                + "<script src=\"/static/css/app.3f2a9c1b7d4e.css\"></script>")
    }

    @Test func asVariableStoresTheValueAndWritesNothing() throws {
        let output = try render(
            "{% static \"js/app.js\" as src %}{% static_integrity \"js/app.js\" as sri %}[{{ src }}|{{ sri }}]")
        #expect(output == "[/static/js/app.5d41402abc4b.js|\(SampleManifest.appJSIntegrity)]")
    }

    @Test func asVariableWithEmptyContextExplainsItself() {
        #expect {
            try render("{% static \"js/app.js\" as src %}{{ src }}", [:])
        } throws: { error in
            "\(error)".contains("'as src' needs a render context")
        }
    }

    @Test func percentEncodedOnceAndQueryAmpersandHTMLEscaped() throws {
        let output = try render(#"<img src="{% static "img/my logo ü.png" %}"> {% static "css/app.css?v=1&t=2" %}"#)
        #expect(
            output
                == #"<img src="/static/img/my%20logo%20%C3%BC.0123456789ab.png"> /static/css/app.3f2a9c1b7d4e.css?v=1&amp;t=2"#
        )
    }

    @Test func strictMissingNameFailsTheRenderNamingTheAsset() {
        #expect {
            try render("<link href=\"{% static \"css/missing.css\" %}\">")
        } throws: { error in
            // Stencil wraps every error a tag throws in a TemplateSyntaxError carrying its description.
            guard let syntaxError = error as? TemplateSyntaxError else { return false }
            return syntaxError.reason == SampleManifest.missing.description
                && syntaxError.reason.contains("'css/missing.css' is not in the manifest")
        }
    }

    @Test func debugModeRendersUnhashedURLAndEmptyIntegrity() throws {
        let output = try render(
            "{% static \"css/missing.css\" %} [{% static_integrity \"css/app.css\" %}] {% static \"img/my logo ü.png\" %}",
            assets: SampleManifest.resolver(mode: .debug))
        #expect(output == "/static/css/missing.css [] /static/img/my%20logo%20%C3%BC.png")
    }

    @Test func cdnStaticURL() throws {
        let output = try render(
            "{% static \"css/app.css\" %}",
            assets: SampleManifest.resolver(staticURL: "https://cdn.example.com/static/"))
        #expect(output == "https://cdn.example.com/static/css/app.3f2a9c1b7d4e.css")
    }

    @Test func wrongArgumentsAreASyntaxError() {
        #expect(throws: TemplateSyntaxError.self) { try render("{% static %}") }
        #expect(throws: TemplateSyntaxError.self) { try render("{% static \"a.css\" into x %}") }
    }
}
