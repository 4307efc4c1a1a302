import Foundation
import StaticAssets
import TestSupport
import Testing

@testable import CollectStatic

// Differential test: ReferenceScanner + ReferenceRewriter against Django 6.1's
// own HashedFilesMixin machinery (Tests/Django/rewrite_oracle.py), with the
// same deterministic fake hashing on both sides.

// MARK: - Oracle plumbing

/// Runs `Tests/Django/rewrite_oracle.py` with a Python that has Django.
enum DjangoRewriteOracle {

    static let script = TestSupport.packageRoot.appendingPathComponent("Tests/Django/rewrite_oracle.py")

    struct Output: Decodable {
        struct File: Decodable {
            var output: String?
            var error: String?
        }
        var django: String
        var results: [String: File]
    }

    /// Rewrites `files` with Django; keys of the result are the paths passed.
    static func run(_ files: [URL], jsModules: Bool) throws -> Output {
        let python = try DjangoReference.requirePython()
        var arguments = [script.path]
        if jsModules { arguments.append("--js-modules") }
        arguments += files.map(\.path)
        let result = try runProcess(python, arguments)
        guard result.status == 0 else {
            throw OracleError("oracle exited \(result.status): \(String(decoding: result.stderr, as: UTF8.self))")
        }
        return try JSONDecoder().decode(Output.self, from: result.stdout)
    }

    struct OracleError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func runProcess(_ executable: String, _ arguments: [String]) throws -> (
        status: Int32, stdout: Data, stderr: Data
    ) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return (process.terminationStatus, try Data(contentsOf: outURL), try Data(contentsOf: errURL))
    }
}

// MARK: - The engine, with the oracle's fake hashing

/// Our engine (ReferenceScanner → ReferenceResolver → ReferenceRewriter) with the oracle's fake
/// storage: every file exists and every file's hash is `abcdef123456`. Which urls are left alone,
/// how the target is found and how the url is rewritten (query, fragment, `?#`, trailing slash,
/// percent-decoding) is the engine's own code, so every snippet checks it against Django's.
enum DjangoFakeHashing {
    static let hash = "abcdef123456"
    static let staticURL = "/static/"

    /// The url the engine writes for `url` in a file named like the oracle names it, or nil when
    /// the engine leaves the construct alone.
    static func newURL(for url: String, from source: String = "css/x.css") -> String? {
        switch ReferenceResolver(staticURL: staticURL).resolve(url, from: source) {
        case .asset(let path):
            return ReferenceResolver.rewritten(url, hashedName: HashedName.make(path, hash: hash))
        case .external, .escapes:
            return nil
        }
    }

    /// Our pipeline: scan, then rewrite with the fake hashing.
    static func rewrite(_ text: String, syntax: ReferenceSyntax) -> String {
        let bytes = Array(text.utf8)
        let source = syntax == .css ? "css/x.css" : "js/x.js"
        let references = ReferenceScanner.scan(bytes, syntax: syntax)
        let output = ReferenceRewriter.rewrite(bytes, references: references) { newURL(for: $0.url, from: source) }
        return String(decoding: output, as: UTF8.self)
    }
}

// MARK: - Corpus

private struct RewriteSnippet: Sendable {
    var name: String
    var syntax: ReferenceSyntax
    var text: String
    /// For documented differences only: what we produce (Django produces something else).
    var expected: String? = nil

    var fileExtension: String { syntax == .css ? "css" : "js" }
}

private let css = ReferenceSyntax.css
private let classic = ReferenceSyntax.javaScript(modules: false)
private let module = ReferenceSyntax.javaScript(modules: true)

/// Realistic snippets on which we must be byte-identical to Django.
private let identicalCorpus: [RewriteSnippet] = [
    // MARK: CSS
    RewriteSnippet(
        name: "quoting-styles", syntax: css,
        text: """
            .a { background: url(img/a.png); }
            .b { background: url('img/b.png'); }
            .c { background: url("img/c.png"); }
            .d { background-image: URL(../img/d.png), Url("../img/e.png"); }

            """),
    RewriteSnippet(
        name: "import-forms", syntax: css,
        text: """
            @import "base.css";
            @import 'theme.css' screen;
            @import url(print.css) print;
            @import url('reset.css');
            @import url("grid.css") layer(grid);
            @IMPORT "upper.css";
            @import"tight.css";
            @import  "spaced.css" ;
            body { color: red }

            """),
    RewriteSnippet(
        name: "font-face-bulletproof", syntax: css,
        text: """
            @font-face {
              font-family: 'Glyphs';
              src: url('../fonts/glyphs.eot');
              src: url('../fonts/glyphs.eot?#iefix') format('embedded-opentype'),
                   url('../fonts/glyphs.woff2') format('woff2'),
                   url("../fonts/glyphs.woff?v=4.7.0") format('woff'),
                   url('../fonts/glyphs.svg#glyphsregular') format('svg'),
                   local("Glyphs");
            }

            """),
    RewriteSnippet(
        name: "comments-hide-urls", syntax: css,
        text: """
            /* .old { background: url(old.png) } */
            .a { background: url(new.png) } /* url(trailing.png) */
            /*
             * @import "commented.css";
             * background: url('commented.png');
             */
            .b { background: url(b.png) }

            """),
    RewriteSnippet(
        name: "strings-containing-url", syntax: css,
        text: """
            .a::before { content: "url(not-a-ref.png)"; background: url(a.png); }
            [data-bg='url(attr.png)'] { background: url("real.png"); }
            .q::after { content: '@import "nope.css"'; }

            """),
    RewriteSnippet(
        name: "source-map", syntax: css,
        text: """
            .a{color:red}
            /*# sourceMappingURL=app.css.map */

            """),
    RewriteSnippet(
        name: "source-map-no-newline-tab", syntax: css,
        text: ".a{color:red}\n/*#\tsourceMappingURL=maps/app.css.map*/"),
    RewriteSnippet(
        name: "source-map-not-matching", syntax: css,
        text: """
            .a{color:red} /*# sourceMappingURL=inline.map */
              /*# sourceMappingURL=indented.map */
            /*#  sourceMappingURL=two-spaces.map */
            /*# sourcemappingurl=lower.map */
            /* x
            /*# sourceMappingURL=inside.map */

            """),
    RewriteSnippet(
        name: "source-map-data", syntax: css,
        text: ".a{}\n/*# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ== */\n"),
    RewriteSnippet(
        name: "minified-one-line", syntax: css,
        text:
            #"@import url(base.css);.a{background:url(a.png) no-repeat}.b{background:url("b.png")}@media (min-width:768px){.c{background:url('c.png')}}.d{background:url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)}"#
    ),
    RewriteSnippet(
        name: "non-ascii", syntax: css,
        text: """
            /* Ünïcödé — 日本語 — 🎉 */
            .ü::before { content: "→ café"; background: url(../img/ß.png); }
            .日本 { background: url('../img/日本.svg#ℵ'); }

            """),
    RewriteSnippet(
        name: "data-uris", syntax: css,
        text: """
            .a { background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==); }
            .b { background: url("data:image/svg+xml;charset=utf8,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E"); }
            .c { background: url('data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"></svg>'); }
            .d { background: url(after-data.png); }

            """),
    RewriteSnippet(
        name: "absolute-and-external", syntax: css,
        text: """
            .a { background: url(http://example.com/a.png); }
            .b { background: url(https://example.com/b.png); }
            .c { background: url(//cdn.example.com/c.png); }
            .d { background: url(/static/img/d.png); }
            .e { background: url(/media/e.png); }
            .f { filter: url(#svg-filter); }
            .g { behavior: url(#default#VML); }
            .h { background: url(/static/img/h.png?v=2#top); }

            """),
    RewriteSnippet(
        name: "percent-encoding", syntax: css,
        text: """
            .a { background: url(img/a%20b.png); }
            .b { background: url("my%20dir/c.png"); }

            """),
    RewriteSnippet(
        name: "query-and-fragment", syntax: css,
        text: """
            .a { background: url(a.png?v=1); }
            .b { background: url("b.png?v=1#x"); }
            .c { background: url(sprite.svg#icon-home); }
            .d { background: url(e.png?); }

            """),
    RewriteSnippet(
        name: "crlf-line-endings", syntax: css,
        text: ".a {\r\n  background: url(a.png);\r\n}\r\n@import \"b.css\";\r\n"),
    RewriteSnippet(
        name: "tailwind-escapes", syntax: css,
        text: """
            .sm\\:p-4{padding:1rem}.w-1\\/2{width:50%}.hover\\:bg\\[url\\(x\\)\\]:hover{background:url(a.png)}
            .\\31 0{background:url("b.png")}

            """),
    RewriteSnippet(
        name: "whitespace-in-unquoted-url", syntax: css,
        text: ".a { background: url(  a.png  ); }\n.b { background: url(\n    b.png); }\n"),
    RewriteSnippet(
        name: "multi-line-values", syntax: css,
        text: """
            .a {
              background:
                url(a.png) no-repeat,
                url('b.png') repeat-x,
                linear-gradient(red, blue);
            }

            """),
    RewriteSnippet(
        name: "image-set-and-variables", syntax: css,
        text: """
            :root { --hero: url(hero.jpg); --icon: url("icons/i.svg"); }
            .a { background-image: image-set(url(a.png) 1x, url("a@2x.png") 2x); }
            .b { mask: url(mask.svg) center / contain; cursor: url(cursor.cur), auto; }

            """),
    RewriteSnippet(
        name: "empty-urls", syntax: css,
        text: ".a { background: url(); }\n.b { background: url(\"\"); }\n.c { background: url(c.png); }\n"),
    RewriteSnippet(
        name: "unterminated-string-then-url", syntax: css,
        text: ".a::before { content: \"oops; }\n.b { background: url(b.png); }\n"),
    RewriteSnippet(
        name: "quotes-inside-urls", syntax: css,
        text:
            #".a { background: url("it's.png"); } .c { background: url("a(1).png"); }"#
            + "\n"),
    RewriteSnippet(
        name: "double-slash-is-not-a-css-comment", syntax: css,
        text: ".a { background: url(//cdn.x/y.png) } // .b { background: url(c.png) }\n"),
    RewriteSnippet(
        name: "nested-at-rules", syntax: css,
        text: """
            @media screen and (min-width: 900px) {
              @supports (display: grid) {
                .a { background: url("../img/grid.png"); }
              }
            }
            @font-face { font-family: X; src: url(x.woff2) format("woff2"); }

            """),
    // MARK: JavaScript, classic scripts
    RewriteSnippet(
        name: "js-source-map", syntax: classic,
        text: "(function(){console.log('hi')})();\n//# sourceMappingURL=app.js.map\n"),
    RewriteSnippet(
        name: "js-source-map-eof-and-inline", syntax: classic,
        text: "var a=1;\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozfQ==\n"
            + "var b=2;\n//# sourceMappingURL=../maps/b.js.map"),
    RewriteSnippet(
        name: "js-source-map-hidden", syntax: classic,
        text: """
            var s = `
            //# sourceMappingURL=in-template.map
            `;
            /*
            //# sourceMappingURL=in-comment.map
            */
              //# sourceMappingURL=indented.map
            //@ sourceMappingURL=old-style.map
            var t = "//# sourceMappingURL=in-string.map";

            """),
    RewriteSnippet(
        name: "js-classic-ignores-imports", syntax: classic,
        text: "import a from './a.js';\nimport('./b.js');\nexport * from './c.js';\n"),
    // MARK: JavaScript, modules
    RewriteSnippet(
        name: "esm-typical", syntax: module,
        text: """
            import { h, render } from './vendor/preact.js';
            import App from "./components/App.js";
            import * as utils from '../lib/utils.js';
            import config, { flags } from "/static/js/config.js";
            import React from 'react';

            render(h(App, { flags, utils, config }), document.body);

            """),
    RewriteSnippet(
        name: "esm-asi-relative", syntax: module,
        text: """
            import a from './a.js'
            import { b } from './b.js'
            import './side.js'
            console.log(a, b)

            """),
    RewriteSnippet(
        name: "esm-asi-bare-first", syntax: module,
        text: """
            import React from 'react'
            import { x } from './x.js'
            import y from "./y.js"

            """),
    RewriteSnippet(
        name: "esm-multiline-named", syntax: module,
        text: """
            import {
              alpha,
              beta as b,
              gamma, // the third one
              /* delta, */
            } from './greek.js';
            export {
              one,
              two,
            } from "./numbers.js";

            """),
    RewriteSnippet(
        name: "esm-export-from", syntax: module,
        text: """
            export { a, b as c } from './x.js';
            export * from "./y.js";
            export * as ns from './z.js';
            export { default } from './default.js';
            export { default as Widget } from "./widget.js";
            export const local = 1;
            export default local;

            """),
    RewriteSnippet(
        name: "esm-side-effect", syntax: module,
        text:
            "import './polyfills.js';\nimport \"../css-loader.js\";\nimport\"./tight.js\";\nimport 'lib-side-effect';\n"
    ),
    RewriteSnippet(
        name: "esm-dynamic", syntax: module,
        text: """
            const routes = {
              home: () => import("./pages/home.js"),
              about: () => import('./pages/about.js'),
              lib: () => import("some-lib"),
              spaced: () => import( "./pages/spaced.js" ),
            };
            import('./boot.js').then((m) => m.start());

            """),
    RewriteSnippet(
        name: "esm-minified", syntax: module,
        text:
            #"import{a as b}from"./chunk-AB12.js";import*as c from"../lib/c.js";import"./side.js";const d=()=>import("./lazy-9f.js");export{b,c,d};"#
            + "\n//# sourceMappingURL=bundle.js.map\n"),
    RewriteSnippet(
        name: "esm-hidden", syntax: module,
        text: """
            const s = "import x from './in-string.js'";
            const t = `
              import('./in-template.js');
            `;
            // import y from './in-line-comment.js';
            /* export * from './in-block-comment.js'; */
            const q = 'import("./in-single.js")';
            import real from './real.js';

            """),
    RewriteSnippet(
        name: "esm-non-references", syntax: module,
        text: """
            const u = new URL('./asset.png', import.meta.url);
            importScripts('./worker.js');
            import React from "react";
            import x from "https://cdn.example.com/x.js";
            import y from "/static/js/y.js";
            import z from "/other/z.js";
            import(`./template-specifier.js`);

            """),
    RewriteSnippet(
        name: "esm-from-as-binding", syntax: module,
        text: "import from from './from.js';\nimport { from as f } from './f.js';\n"),
    RewriteSnippet(
        name: "esm-non-ascii", syntax: module,
        text: "const msg = \"héllo ✓ 日本\";\nimport w from './wïdget.js';\nimport(\"./ünï/cödé.js\");\n"),
    RewriteSnippet(
        name: "esm-attributes-and-query", syntax: module,
        text: """
            import data from "./data.json" with { type: "json" };
            import v from './v.js?v=3';
            import h from './h.js#frag';

            """),
    RewriteSnippet(
        name: "esm-with-source-map", syntax: module,
        text: "import a from './a.js';\nexport { a };\n//# sourceMappingURL=mod.js.map\n"),
    RewriteSnippet(
        name: "esm-regex-literal-quote", syntax: module,
        text: "const re = /\"/g;\nimport('./after-regex.js');\n"),
    // MARK: Django's query, fragment, `?#`, folder and percent-decoding rules
    RewriteSnippet(
        name: "font-awesome-query-then-question-hash", syntax: css,
        text: """
            @font-face {
              src: url(../fonts/fontawesome-webfont.eot?674f50d287a8c48dc19ba404d20fe713);
              src: url(../fonts/fontawesome-webfont.eot?674f50d287a8c48dc19ba404d20fe713?#iefix) format("embedded-opentype"),
                url("../fonts/fontawesome-webfont.svg?674f50d287a8c48dc19ba404d20fe713#fontawesomeregular") format("svg");
            }

            """),
    RewriteSnippet(
        name: "empty-query-and-fragment", syntax: css,
        text: """
            .a { background: url(a.png#); }
            .b { background: url(b.png?#); }
            .c { background: url("c.png?v=1#"); }
            .d { background: url(d.png?); }
            .e { background: url(e.png?v=1?#); }

            """),
    RewriteSnippet(
        name: "question-hash-anywhere", syntax: css,
        text: """
            .a { background: url(a.png??#x); }
            .b { background: url(b.png#x?#y); }
            .c { background: url(c.png?v=1#x#y); }
            .d { background: url(d.png?v=1?); }
            .e { background: url(/static/img/e.png?#x); }
            .f { background: url(../img/f.png#%3F); }

            """),
    RewriteSnippet(
        name: "slash-in-query-keeps-name", syntax: css,
        text: """
            .a { background: url("a.png?x=/b"); }
            .b { background: url("../img/b.png?x=/y#f"); }

            """),
    RewriteSnippet(
        name: "percent-decoding-everywhere", syntax: css,
        text: """
            .a { background: url(my%20dir/a%20b.png?q=%20#f%20); }
            .b { background: url(%E2%9C%93.svg); }
            .c { background: url(c.png?%FF); }
            .d { background: url(%FF.png); }
            .e { background: url(caf%C3%A9.png?x=%41); }
            /*# sourceMappingURL=maps/app%20x.css.map */

            """),
    RewriteSnippet(
        name: "whitespace-before-query-or-fragment", syntax: css,
        text: """
            .a { background: url("a.png ?v=1"); }
            .b { background: url('b.png #f'); }

            """),
    RewriteSnippet(
        name: "folder-urls-with-query-or-fragment", syntax: css,
        text: """
            .a { background: url("fonts/?v=1"); }
            .b { background: url("fonts/#x"); }
            .c { background: url("/static/fonts/"); }

            """),
    RewriteSnippet(
        name: "esm-query-fragment-rules", syntax: module,
        text: """
            import a from './a.js?#x';
            import b from "./b.js?v=1?#y";
            import('./c.js#');
            import "./d%20e.js";

            """),
    RewriteSnippet(
        name: "esm-semicolon-statements-before-export-from", syntax: module,
        text: """
            import x from 'lib';
            export const y = x + 1;
            export * from './more.js';
            export default function f() { return import('./dyn.js'); }

            """),
]

/// Inputs where we deliberately differ from Django (see the notes at the top
/// of ReferenceScanner.swift and on ReferenceResolver). `expected` is our output; the test also checks
/// that Django's output is different, so a stale note gets noticed.
private let divergentCorpus: [RewriteSnippet] = [
    RewriteSnippet(
        name: "d14-css-comment-left-open-runs-to-the-end", syntax: css,
        text: ".a { background: url(a.png); }\n/* never closed\n.b { background: url(b.png); }\n",
        expected: ".a { background: url(\"a.abcdef123456.png\"); }\n/* never closed\n.b { background: url(b.png); }\n"),
    RewriteSnippet(
        name: "d1-space-inside-quoted-url", syntax: css,
        text: ".a { background: url( \"a.png\" ); }\n",
        expected: ".a { background: url(\"a.abcdef123456.png\"); }\n"),
    RewriteSnippet(
        name: "d2-trailing-space-after-query", syntax: css,
        text: ".a { background: url(a.png?v=1 ); }\n",
        expected: ".a { background: url(\"a.abcdef123456.png?v=1\"); }\n"),
    RewriteSnippet(
        name: "d3-css-source-map-crlf", syntax: css,
        text: ".a{}\r\n/*# sourceMappingURL=app.css.map */\r\n",
        expected: ".a{}\r\n/*# sourceMappingURL=app.css.abcdef123456.map */\r\n"),
    RewriteSnippet(
        name: "d3-js-source-map-crlf", syntax: classic,
        text: "a();\r\n//# sourceMappingURL=app.js.map\r\n",
        expected: "a();\r\n//# sourceMappingURL=app.js.abcdef123456.map\r\n"),
    RewriteSnippet(
        name: "d5-camel-case-import-identifier", syntax: module,
        text: "const isImport = true\nexport { a } from \"./a.js\"\n",
        expected: "const isImport = true\nexport { a } from \"./a.abcdef123456.js\"\n"),
    RewriteSnippet(
        name: "d5-member-named-import", syntax: module,
        text: "loader.import(\"./x.js\");\n",
        expected: "loader.import(\"./x.js\");\n"),
    RewriteSnippet(
        name: "d6a-import-word-in-comment", syntax: module,
        text: "// we import helpers\nimport { h } from \"./h.js\";\n",
        expected: "// we import helpers\nimport { h } from \"./h.abcdef123456.js\";\n"),
    RewriteSnippet(
        name: "d6b-asi-double-hash", syntax: module,
        text: "import x from \"lib\"\nexport * from \"./y.js\"\n",
        expected: "import x from \"lib\"\nexport * from \"./y.abcdef123456.js\"\n"),
    RewriteSnippet(
        name: "d6c-commented-import-after-real-one", syntax: module,
        text: "import a from 'lib'\n// import b from './b.js'\n",
        expected: "import a from 'lib'\n// import b from './b.js'\n"),
    RewriteSnippet(
        name: "d7-minified-export-star", syntax: module,
        text: "export*from\"./z.js\";export*as ns from\"./w.js\";\n",
        expected: "export* from \"./z.abcdef123456.js\";export*as ns from \"./w.abcdef123456.js\";\n"),
    RewriteSnippet(
        name: "d8-directory-url-identity", syntax: css,
        text: ".a { background: url(fonts/); }\n",
        expected: ".a { background: url(fonts/); }\n"),
    RewriteSnippet(
        name: "d10-unclosed-url-in-comment", syntax: css,
        text: "/* see url( */ .a { background: url(x.png) }\n",
        expected: "/* see url( */ .a { background: url(\"x.abcdef123456.png\") }\n"),
    RewriteSnippet(
        name: "resolver-decoded-once-not-twice", syntax: css,
        text: ".a { background: url(a%2520b.png); }\n",
        expected: ".a { background: url(\"a%2520b.abcdef123456.png\"); }\n"),
    RewriteSnippet(
        name: "resolver-encoded-question-mark-is-part-of-the-name", syntax: css,
        text: ".a { background: url(a%3Fb.png); }\n",
        expected: ".a { background: url(\"a%3Fb.abcdef123456.png\"); }\n"),
    RewriteSnippet(
        name: "resolver-encoded-hash-is-part-of-the-name", syntax: css,
        text: ".a { background: url(a%23b.png); }\n",
        expected: ".a { background: url(\"a%23b.abcdef123456.png\"); }\n"),
    RewriteSnippet(
        name: "resolver-encoded-quote-stays-encoded", syntax: css,
        text: ".a { background: url(a%22b.png); } .b { background: url(b.png?q=%22); }\n",
        expected:
            ".a { background: url(\"a%22b.abcdef123456.png\"); } .b { background: url(\"b.abcdef123456.png?q=%22\"); }\n"
    ),
    RewriteSnippet(
        name: "resolver-quote-in-file-name-is-encoded", syntax: css,
        text: ".b { background: url('say-\"hi\".png'); }\n",
        expected: ".b { background: url(\"say-%22hi%22.abcdef123456.png\"); }\n"),
    RewriteSnippet(
        name: "resolver-encoded-newline-stays-encoded", syntax: classic,
        text: "a();\n//# sourceMappingURL=a.js.map#x%0Ay\n",
        expected: "a();\n//# sourceMappingURL=a.js.abcdef123456.map#x%0Ay\n"),
    RewriteSnippet(
        name: "resolver-folder-with-encoded-slash", syntax: css,
        text: ".a { background: url(\"fonts%2F\"); }\n",
        expected: ".a { background: url(\"fonts%2F\"); }\n"),
    RewriteSnippet(
        name: "d4-mismatched-import-quotes", syntax: css,
        text: "@import \"a.css';\n",
        expected: "@import \"a.css';\n"),
]

// MARK: - Tests

@Suite("ReferenceRewriter vs Django")
struct ReferenceRewriterDjangoTests {
    @Test func corpusIsLargeEnough() {
        #expect(identicalCorpus.count >= 50)
        #expect(Set(identicalCorpus.map(\.name)).count == identicalCorpus.count)
    }

    /// Runs the oracle over `snippets` (one process per module setting) and
    /// returns Django's output per snippet index.
    private func djangoOutputs(_ snippets: [RewriteSnippet]) throws -> (
        version: String, outputs: [Int: DjangoRewriteOracle.Output.File]
    ) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rewrite-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [Bool: [(Int, URL)]] = [:]
        for (index, snippet) in snippets.enumerated() {
            let number = String(repeating: "0", count: max(0, 3 - String(index).count)) + String(index)
            let url = directory.appendingPathComponent("\(number)-\(snippet.name).\(snippet.fileExtension)")
            try Data(snippet.text.utf8).write(to: url)
            files[snippet.syntax == module, default: []].append((index, url))
        }
        var version = ""
        var outputs: [Int: DjangoRewriteOracle.Output.File] = [:]
        for (jsModules, group) in files {
            let result = try DjangoRewriteOracle.run(group.map(\.1), jsModules: jsModules)
            version = result.django
            for (index, url) in group {
                outputs[index] = result.results[url.path]
            }
        }
        return (version, outputs)
    }

    @Test(.enabled(if: DjangoReference.enabled, Comment(rawValue: DjangoReference.skipComment)))
    func byteIdenticalToDjango() throws {
        let (version, outputs) = try djangoOutputs(identicalCorpus)
        #expect(version.hasPrefix("6.1"), "oracle ran Django \(version), expected 6.1.x")
        var changed = 0
        var identical = 0
        for (index, snippet) in identicalCorpus.enumerated() {
            guard let django = outputs[index], let djangoText = django.output else {
                Issue.record("\(snippet.name): Django failed: \(outputs[index]?.error ?? "no result")")
                continue
            }
            let ours = DjangoFakeHashing.rewrite(snippet.text, syntax: snippet.syntax)
            if djangoText != snippet.text { changed += 1 }
            if ours == djangoText {
                identical += 1
            } else {
                Issue.record(
                    """
                    \(snippet.name) differs from Django \(version)
                    --- input\n\(snippet.text.debugDescription)
                    --- django\n\(djangoText.debugDescription)
                    --- ours\n\(ours.debugDescription)
                    """)
            }
        }
        print(
            "ReferenceRewriter vs Django \(version): \(identical)/\(identicalCorpus.count) snippets byte-identical, \(changed) rewritten by Django"
        )
        #expect(changed >= 30, "the corpus should exercise rewriting, not only pass-through")
    }

    @Test(.enabled(if: DjangoReference.enabled, Comment(rawValue: DjangoReference.skipComment)))
    func documentedDifferencesStillDiffer() throws {
        let (_, outputs) = try djangoOutputs(divergentCorpus)
        for (index, snippet) in divergentCorpus.enumerated() {
            let ours = DjangoFakeHashing.rewrite(snippet.text, syntax: snippet.syntax)
            #expect(ours == snippet.expected, "\(snippet.name)")
            let django = outputs[index]?.output
            #expect(
                django != ours,
                "\(snippet.name): Django now agrees with us; update the notes in ReferenceScanner.swift or ReferenceResolver.swift and docs/differences-from-django.md"
            )
        }
    }

    @Test func documentedDifferencesWithoutDjango() {
        // The expected outputs hold regardless of whether Django is installed.
        for snippet in divergentCorpus {
            #expect(
                DjangoFakeHashing.rewrite(snippet.text, syntax: snippet.syntax) == snippet.expected, "\(snippet.name)")
        }
    }

    @Test func engineRulesForOneURL() {
        func new(_ url: String) -> String? { DjangoFakeHashing.newURL(for: url) }
        #expect(new("img/a.png") == "img/a.abcdef123456.png")
        #expect(new("f.eot?#iefix") == "f.abcdef123456.eot?#iefix")
        #expect(new("f.eot?abc?#iefix") == "f.abcdef123456.eot?abc??#iefix")
        #expect(new("a.png?v=1#x") == "a.abcdef123456.png?v=1#x")
        #expect(new("a.png?") == "a.abcdef123456.png")
        #expect(new("a.png#") == "a.abcdef123456.png")
        #expect(new("a.png?x=/b") == "a.png?x=/b")
        #expect(new("a%20b.png") == "a b.abcdef123456.png")
        #expect(new("a%2520b.png") == "a%2520b.abcdef123456.png")
        #expect(new("/static/x/y.png") == "/static/x/y.abcdef123456.png")
        #expect(new(".htaccess") == ".htaccess.abcdef123456")
        for skipped in ["data:x", "http://x/a.png", "//cdn/a.png", "#f", "/media/a.png", "", "fonts/", "fonts%2F"] {
            #expect(new(skipped) == nil, "\(skipped)")
        }
    }
}
