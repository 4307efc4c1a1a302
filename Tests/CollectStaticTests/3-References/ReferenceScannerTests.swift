import StaticAssets
import Testing

@testable import CollectStatic

// Unit tests for ReferenceScanner and ReferenceRewriter. The differential test
// against Django lives in ReferenceRewriterDjangoTests.swift, the property/fuzz
// test in ReferenceScannerFuzzTests.swift.

private let modules = ReferenceSyntax.javaScript(modules: true)
private let classicJS = ReferenceSyntax.javaScript(modules: false)

private func scan(_ text: String, _ syntax: ReferenceSyntax = .css) -> [Reference] {
    ReferenceScanner.scan(Array(text.utf8), syntax: syntax)
}

private func urls(_ text: String, _ syntax: ReferenceSyntax = .css) -> [String] {
    scan(text, syntax).map(\.url)
}

/// Rewrites every reference with `map(url)`.
private func rewrite(_ text: String, _ syntax: ReferenceSyntax = .css, _ map: (String) -> String?) -> String {
    let bytes = Array(text.utf8)
    let refs = ReferenceScanner.scan(bytes, syntax: syntax)
    return String(decoding: ReferenceRewriter.rewrite(bytes, references: refs, newURL: { map($0.url) }), as: UTF8.self)
}

/// `a.png` → `a.HASH.png` for every url (no classification).
private func hashAll(_ text: String, _ syntax: ReferenceSyntax = .css) -> String {
    rewrite(text, syntax) { url in
        guard let dot = url.lastIndex(of: ".") else { return url + ".HASH" }
        return url[..<dot] + ".HASH" + url[dot...]
    }
}

@Suite("ReferenceSyntax")
struct ReferenceSyntaxTests {
    @Test func forPath() {
        #expect(ReferenceSyntax.forPath("css/app.css", jsModules: true) == .css)
        #expect(ReferenceSyntax.forPath("js/app.js", jsModules: true) == .javaScript(modules: true))
        #expect(ReferenceSyntax.forPath("js/app.mjs", jsModules: false) == .javaScript(modules: false))
        #expect(ReferenceSyntax.forPath("img/a.png", jsModules: true) == nil)
        #expect(ReferenceSyntax.forPath("css/APP.CSS", jsModules: true) == nil)  // fnmatchcase, like Django
        #expect(ReferenceSyntax.forPath("js/app.js.map", jsModules: true) == nil)
    }
}

@Suite("ReferenceScanner — CSS")
struct CSSReferenceScannerTests {
    @Test func urlQuotingStyles() {
        let css = #"a{b:url(one.png)} c{d:url('two.png')} e{f:url("three.png")}"#
        let refs = scan(css)
        #expect(refs.map(\.url) == ["one.png", "two.png", "three.png"])
        #expect(refs.map(\.form) == [.cssURL, .cssURL, .cssURL])
        #expect(refs.map(\.matchedText) == ["url(one.png)", "url('two.png')", #"url("three.png")"#])
        for r in refs {
            #expect(String(decoding: Array(css.utf8)[r.matchRange], as: UTF8.self) == r.matchedText)
            #expect(String(decoding: Array(css.utf8)[r.urlRange], as: UTF8.self) == r.url)
        }
    }

    @Test func urlIsCaseInsensitiveAndTemplated() {
        #expect(urls("a{b:URL(a.png) c:Url('b.png')}") == ["a.png", "b.png"])
        #expect(hashAll("a{b:URL(a.png)}") == #"a{b:url("a.HASH.png")}"#)
        #expect(hashAll("a{b:url('a.png')}") == #"a{b:url("a.HASH.png")}"#)
    }

    @Test func urlWhitespace() {
        #expect(urls("a{b:url(  a.png  )}") == ["a.png"])
        #expect(urls("a{b:url(\n  a.png)}") == ["a.png"])
        #expect(urls(#"a{b:url( "a.png" )}"#) == ["a.png"])  // Django: `"a.png" ` (difference 1)
        #expect(urls("a{b:url('a.png'\t)}") == ["a.png"])
        #expect(hashAll(#"a{b:url( "a.png" )}"#) == #"a{b:url("a.HASH.png")}"#)
    }

    @Test func queryAndFragmentAreKept() {
        #expect(
            urls(#"@font-face{src:url(f.eot?#iefix) format("eot"),url("f.svg#Font") format("svg"),url(a.png?v=1&x=2)}"#)
                == ["f.eot?#iefix", "f.svg#Font", "a.png?v=1&x=2"])
    }

    @Test func everySyntacticReferenceIsReported() {
        let css = """
            a{b:url(data:image/png;base64,iVBO=)} c{d:url(http://x.org/a.png)} e{f:url(HTTP://X/b.png)}
            g{h:url(//cdn.x/c.png)} i{j:url(#frag)} k{l:url(/static/d.png)} m{n:url(/media/e.png)} o{p:url()} q{r:url("")}
            """
        #expect(
            urls(css) == [
                "data:image/png;base64,iVBO=", "http://x.org/a.png", "HTTP://X/b.png", "//cdn.x/c.png", "#frag",
                "/static/d.png", "/media/e.png", "", "",
            ])
    }

    @Test func emptyAndMalformedURL() {
        #expect(urls("a{b:url(a.png}\nc{d:url(b.png)}") == ["b.png"])  // no `)` on the line
        #expect(urls(#"a{b:url("a.png)}"#) == [])  // unterminated quote
        #expect(urls(#"a{b:url("a.png" x)}"#) == [])
        #expect(urls("a{b:url(\"a\nb.png\")}") == [])
    }

    @Test func quotedURLsMayContainTheOtherQuoteAndParens() {
        #expect(
            urls(#"a{b:url("it's.png") c:url('say "hi".png') d:url("a(1).png")}"#) == [
                "it's.png", #"say "hi".png"#, "a(1).png",
            ])
    }

    @Test func importForms() {
        let css = """
            @import "a.css";
            @import 'b.css' screen;
            @import url(c.css);
            @import url('d.css') print;
            @IMPORT "e.css";
            @import"f.css";
            """
        let refs = scan(css)
        #expect(refs.map(\.url) == ["a.css", "b.css", "c.css", "d.css", "e.css", "f.css"])
        #expect(refs.map(\.form) == [.cssImport, .cssImport, .cssURL, .cssURL, .cssImport, .cssImport])
        #expect(refs[0].matchedText == #"@import "a.css""#)
        #expect(
            hashAll(css) == """
                @import url("a.HASH.css");
                @import url("b.HASH.css") screen;
                @import url("c.HASH.css");
                @import url("d.HASH.css") print;
                @import url("e.HASH.css");
                @import url("f.HASH.css");
                """)
    }

    @Test func importQuotesMustPair() {
        #expect(urls(#"@import "a.css';"#) == [])
        #expect(urls(#"@import "it's.css";"#) == ["it's.css"])
        #expect(urls(#"@import " spaced.css ";"#) == ["spaced.css"])
    }

    @Test func commentsAndStringsAreSkipped() {
        let css = """
            /* a { background: url(comment.png) } @import "comment.css"; */
            a::before { content: "url(string.png)"; }
            b[data-x='url(attr.png)'] { background: url(real.png) }
            /* multi
               line url(multi.png)
            */ c { background: url('real2.png') }
            d\\url(escaped.png) {}
            """
        #expect(urls(css) == ["real.png", "real2.png"])
    }

    @Test func unterminatedBlocksAreNotBlocks() {
        // Django's ignored-block regex finds no block for an unterminated string,
        // so what follows is still scanned. A CSS comment left open runs to the end
        // of the file (CSS Syntax; Django differs, difference 14).
        #expect(urls("a::before{content:\"oops}\nb{c:url(next.png)}") == ["next.png"])
        #expect(urls("a{b:'x} c{d:url(same-line.png)}") == ["same-line.png"])
        #expect(urls("a{b:url(a.png)} /* never closed url(b.png)\nc{d:url(c.png)}") == ["a.png"])
        #expect(
            ReferenceScanner.scan(
                Array("/* never closed */ import x from './a.js' /* open".utf8), syntax: .javaScript(modules: true)
            )
            .count == 1)
        #expect(urls("a{content:'it\\'s'} b{c:url(a.png)}") == ["a.png"])
    }

    @Test func escapesAreSkipped() {
        // Tailwind-style escapes must not confuse the tokenizer.
        #expect(
            urls(#".sm\:p-4{background:url(a.png)} .w-1\/2{background:url(b.png)} .x\"{}.y{z:url(c.png)}"#) == [
                "a.png", "b.png", "c.png",
            ])
    }

    @Test func sourceMap() {
        let refs = scan("a{}\n/*# sourceMappingURL=app.css.map */\n")
        #expect(refs.map(\.url) == ["app.css.map"])
        #expect(refs.first?.form == .cssSourceMap)
        #expect(refs.first?.line == 2)
        #expect(refs.first?.column == 1)
        #expect(urls("/*#\tsourceMappingURL=a.map*/") == ["a.map"])
        #expect(hashAll("/*#\tsourceMappingURL=a.map*/") == "/*# sourceMappingURL=a.HASH.map */")
        #expect(urls("/*# sourceMappingURL=a.map */\r\n") == ["a.map"])  // CRLF (difference 3)
        #expect(urls("/*# sourceMappingURL=a.map */  \n") == ["a.map"])
    }

    @Test func sourceMapMustBeExact() {
        #expect(urls("  /*# sourceMappingURL=a.map */") == [])  // not at line start
        #expect(urls("a{} /*# sourceMappingURL=a.map */") == [])
        #expect(urls("/*#  sourceMappingURL=a.map */") == [])  // two spaces
        #expect(urls("/*# sourcemappingurl=a.map */") == [])  // case-sensitive name
        #expect(urls("/*# sourceMappingURL=a.map */ a{}") == [])  // not at line end
        #expect(urls("/*@ sourceMappingURL=a.map */") == [])
        #expect(urls("/* x\n/*# sourceMappingURL=a.map */") == [])  // inside another comment
    }

    @Test func lineAndColumn() {
        let css = "a {\n  b: url(x.png);\n}\n\t.c{d:url('y.png')}"
        let refs = scan(css)
        #expect(refs.map(\.line) == [2, 4])
        #expect(refs.map(\.column) == [6, 7])
    }

    @Test func nonASCIIBeforeAReference() {
        // "é" is 2 bytes, "日本" 6 bytes, "🎉" 4 bytes (1 scalar each).
        let css = "/* é 日本 🎉 */ a{b:url(ü.png)}"
        let refs = scan(css)
        #expect(refs.count == 1)
        let r = refs[0]
        #expect(r.url == "ü.png")
        #expect(r.column == 18)  // characters, not bytes
        #expect(r.matchRange.lowerBound == 25)  // bytes
        #expect(r.urlRange == 29..<35)
        #expect(hashAll(css) == #"/* é 日本 🎉 */ a{b:url("ü.HASH.png")}"#)
    }

    @Test func minifiedOneLiner() {
        let css =
            #"@import url(base.css);.a{background:url(a.png)}.b{background:url("b.png")}@media (min-width:1px){.c{background:url('c.png')}}/*# sourceMappingURL=x.map */"#
        #expect(urls(css) == ["base.css", "a.png", "b.png", "c.png"])  // source map not at line start
    }

    @Test func urlRunsAnywhereInCodeLikeDjango() {
        // Django's pattern has no word boundary before `url(`.
        #expect(urls("a{b:image-set(url(a.png) 1x,url(b.png) 2x)}") == ["a.png", "b.png"])
        #expect(urls("a{--u:url(v.png)}") == ["v.png"])
    }
}

@Suite("ReferenceScanner — JavaScript")
struct JSReferenceScannerTests {
    @Test func sourceMap() {
        let js = "console.log(1);\n//# sourceMappingURL=app.js.map\n"
        let refs = scan(js, classicJS)
        #expect(refs.map(\.url) == ["app.js.map"])
        #expect(refs.first?.form == .jsSourceMap)
        #expect(refs.first?.matchedText == "//# sourceMappingURL=app.js.map")
        #expect(refs.first?.line == 2)
        #expect(refs.first?.column == 1)
        #expect(urls("//# sourceMappingURL=a.map", classicJS) == ["a.map"])
        #expect(urls("x()\n//# sourceMappingURL=a.map  \n", classicJS) == ["a.map"])
    }

    @Test func sourceMapCRLFKeepsCR() {
        let js = "x()\r\n//# sourceMappingURL=a.map\r\ny()\r\n"
        #expect(scan(js, classicJS).first?.url == "a.map")
        #expect(hashAll(js, classicJS) == "x()\r\n//# sourceMappingURL=a.HASH.map\r\ny()\r\n")
    }

    @Test func sourceMapMustBeExact() {
        #expect(urls("  //# sourceMappingURL=a.map", classicJS) == [])
        #expect(urls("//#  sourceMappingURL=a.map", classicJS) == [])
        #expect(urls("//@ sourceMappingURL=a.map", classicJS) == [])
        #expect(urls("//# sourcemappingurl=a.map", classicJS) == [])
        #expect(urls("x(); //# sourceMappingURL=a.map", classicJS) == [])
        #expect(urls("/*\n//# sourceMappingURL=a.map\n*/", classicJS) == [])
        #expect(urls("s = `\n//# sourceMappingURL=a.map\n`", classicJS) == [])
    }

    @Test func modulesOffFindsNoImports() {
        let js = "import a from './a.js';\nexport * from './b.js';\nimport('./c.js');\nimport './d.js';\n"
        #expect(urls(js, classicJS) == [])
        #expect(urls(js, modules) == ["./a.js", "./b.js", "./c.js", "./d.js"])
    }

    @Test func importFromForms() {
        let js = """
            import a from './a.js';
            import { b, c as d } from "./b.js";
            import * as ns from '../ns.js';
            import e, { f } from "/static/e.js";
            import g, * as h from './g.js';
            import {
              i,
              j, // a comment
              /* another */ k,
            } from './multi.js';
            import{l}from"./min.js";
            import*as m from"./star.js";
            import from from './from.js';
            """
        let refs = scan(js, modules)
        #expect(
            refs.map(\.url) == [
                "./a.js", "./b.js", "../ns.js", "/static/e.js", "./g.js", "./multi.js", "./min.js", "./star.js",
                "./from.js",
            ])
        #expect(refs.allSatisfy { $0.form == .jsImportFrom })
        #expect(refs[5].line == 6)
        #expect(
            hashAll(js, modules) == """
                import a from "./a.HASH.js";
                import { b, c as d } from "./b.HASH.js";
                import * as ns from "../ns.HASH.js";
                import e, { f } from "/static/e.HASH.js";
                import g, * as h from "./g.HASH.js";
                import {
                  i,
                  j, // a comment
                  /* another */ k,
                } from "./multi.HASH.js";
                import{l} from "./min.HASH.js";
                import*as m from "./star.HASH.js";
                import from from "./from.HASH.js";
                """)
    }

    @Test func exportFromForms() {
        let js = """
            export { a, b as c } from './x.js';
            export * from "./y.js";
            export * as ns from './z.js';
            export{d}from"./w.js";
            export*from"./v.js";
            export { e };
            export const f = 1;
            export default function g() {}
            """
        let refs = scan(js, modules)
        #expect(refs.map(\.url) == ["./x.js", "./y.js", "./z.js", "./w.js", "./v.js"])
        #expect(refs.allSatisfy { $0.form == .jsExportFrom })
        #expect(
            hashAll(js, modules) == """
                export { a, b as c } from "./x.HASH.js";
                export * from "./y.HASH.js";
                export * as ns from "./z.HASH.js";
                export{d} from "./w.HASH.js";
                export* from "./v.HASH.js";
                export { e };
                export const f = 1;
                export default function g() {}
                """)
    }

    @Test func sideEffectAndDynamicImports() {
        let js = """
            import './polyfill.js';
            import"./min.js";
            import
              "../next-line.js";
            const lazy = () => import("./lazy.js");
            import('./then.js').then(m => m.default);
            """
        let refs = scan(js, modules)
        #expect(refs.map(\.url) == ["./polyfill.js", "./min.js", "../next-line.js", "./lazy.js", "./then.js"])
        #expect(refs.map(\.form) == [.jsImport, .jsImport, .jsImport, .jsDynamicImport, .jsDynamicImport])
        #expect(
            hashAll(js, modules) == """
                import"./polyfill.HASH.js";
                import"./min.HASH.js";
                import"../next-line.HASH.js";
                const lazy = () => import("./lazy.HASH.js");
                import("./then.HASH.js").then(m => m.default);
                """)
    }

    @Test func bareAndNonReferenceSpecifiers() {
        let js = """
            import React from 'react';
            import x from "lib/x.js";
            import 'side-effect-lib';
            import("chunk.js");
            import( "./spaced.js" );
            import(`./template.js`);
            import("./opts.js", { with: { type: "json" } });
            const u = new URL('./a.png', import.meta.url);
            importScripts('./worker.js');
            obj.import("./method.js");
            this.#import("./private.js");
            const isImport = 1, Import = 2;
            IMPORT("./upper.js");
            """
        #expect(urls(js, modules) == [])
    }

    @Test func importsInStringsCommentsAndTemplatesAreSkipped() {
        let js = """
            const s = "import x from './s.js'";
            const t = `
              import('./t.js');
              ${"import './u.js'"}
            `;
            // import y from './c.js';
            /* export * from './d.js'; */
            const r = 'import("./r.js")';
            import z from './real.js';
            """
        #expect(urls(js, modules) == ["./real.js"])
    }

    @Test func commentedImportWordBeforeRealImport() {
        // Django misses this one (difference 6a); it is a real reference.
        #expect(urls("// we import helpers\nimport { h } from './h.js';", modules) == ["./h.js"])
        #expect(urls("/** Import the widget. */\nimport w from './w.js'", modules) == ["./w.js"])
    }

    @Test func asiStyleImportsDoNotRunTogether() {
        let js = """
            import React from 'react'
            import { x } from './x.js'
            export const y = 1
            import z from './z.js'
            export { a } from './a.js'
            """
        let refs = scan(js, modules)
        #expect(refs.map(\.url) == ["./x.js", "./z.js", "./a.js"])
        #expect(refs.map(\.line) == [2, 4, 5])
    }

    @Test func importAttributesAreKeptOutsideTheConstruct() {
        let js = #"import data from "./data.json" with { type: "json" };"#
        #expect(hashAll(js, modules) == #"import data from "./data.HASH.json" with { type: "json" };"#)
    }

    @Test func specifierQueryAndQuotes() {
        #expect(urls(#"import a from './a.js?v=1#x';"#, modules) == ["./a.js?v=1#x"])
        #expect(urls(#"import a from "./it's.js";"#, modules) == ["./it's.js"])
        #expect(urls(#"import a from "./a.js';"#, modules) == [])  // quotes must pair
    }

    @Test func nonASCIIBeforeImport() {
        let js = "const msg = \"héllo ✓\"; import(\"./ünï.js\")"
        let refs = scan(js, modules)
        #expect(refs.map(\.url) == ["./ünï.js"])
        #expect(refs.first?.column == 24)
        #expect(refs.first?.matchRange.lowerBound == 26)
    }

    @Test func unterminatedTemplateAndStrings() {
        #expect(urls("const a = `never closed; import('./a.js')", modules) == ["./a.js"])
        #expect(urls("const a = 'no close\nimport('./b.js')", modules) == ["./b.js"])
        // The regex literal /'/ opens a string, like in Django (shared limitation).
        #expect(urls("const re = /\"/g; import('./c.js')", modules) == ["./c.js"])
        #expect(urls("const re = /'/g, q = '.'; import('./d.js')", modules) == [])
    }
}

@Suite("ReferenceRewriter")
struct ReferenceRewriterTests {
    @Test func templatesPerForm() {
        let css = "@import 'a.css';\na{b:url(b.png)}\n/*# sourceMappingURL=c.map */"
        #expect(
            hashAll(css) == "@import url(\"a.HASH.css\");\na{b:url(\"b.HASH.png\")}\n/*# sourceMappingURL=c.HASH.map */"
        )
        let js =
            "import a from './a.js'\nexport * from './b.js'\nimport './c.js'\nimport('./d.js')\n//# sourceMappingURL=e.map"
        #expect(
            hashAll(js, modules)
                == "import a from \"./a.HASH.js\"\nexport * from \"./b.HASH.js\"\nimport\"./c.HASH.js\"\nimport(\"./d.HASH.js\")\n//# sourceMappingURL=e.HASH.map"
        )
    }

    @Test func nilAndIdentityLeaveConstructsAsWritten() {
        let css = "a{b:url( a.png )} c{d:url('keep.png')} e{f:url(fonts/)}"
        let out = rewrite(css) { url in
            switch url {
            case "a.png": "a.1.png"
            case "keep.png": nil
            default: url
            }
        }
        #expect(out == #"a{b:url("a.1.png")} c{d:url('keep.png')} e{f:url(fonts/)}"#)
    }

    @Test func noChangeReturnsInput() {
        let bytes = Array("a{b:url(a.png)}".utf8)
        let refs = ReferenceScanner.scan(bytes, syntax: .css)
        #expect(ReferenceRewriter.rewrite(bytes, references: refs, newURL: { _ in nil }) == bytes)
        #expect(ReferenceRewriter.rewrite(bytes, references: [], newURL: { _ in "x" }) == bytes)
    }

    @Test func orderAndOverlapsAreHandled() {
        let bytes = Array("a{b:url(a.png)} c{d:url(b.png)}".utf8)
        let refs = ReferenceScanner.scan(bytes, syntax: .css)
        let reversed = ReferenceRewriter.rewrite(bytes, references: refs.reversed(), newURL: { $0.url + "!" })
        #expect(String(decoding: reversed, as: UTF8.self) == #"a{b:url("a.png!")} c{d:url("b.png!")}"#)
        var overlapping = refs[1]
        overlapping.matchRange = 5..<20
        let out = ReferenceRewriter.rewrite(bytes, references: [refs[0], overlapping], newURL: { $0.url + "!" })
        #expect(String(decoding: out, as: UTF8.self) == #"a{b:url("a.png!")} c{d:url(b.png)}"#)
    }

    @Test func replacementIsInsertedVerbatim() {
        // Django's url_converter unquotes the new url; we insert whatever the
        // caller returns, non-ASCII included.
        #expect(rewrite("a{b:url(a%20b.png)}") { _ in "a b.ü.png" } == #"a{b:url("a b.ü.png")}"#)
    }
}
