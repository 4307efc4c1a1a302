import StaticAssets
import Testing

@testable import CollectStatic

@Suite struct NamingTests {
    @Test(arguments: [
        ("css/app.css", "css/app.0123456789ab.css"),
        ("LICENSE", "LICENSE.0123456789ab"),
        ("archive.tar.gz", "archive.tar.0123456789ab.gz"),
        (".htaccess", ".htaccess.0123456789ab"),
        ("..dots", "..dots.0123456789ab"),
        ("weird.name.", "weird.name.0123456789ab."),
        ("dir.v2/file", "dir.v2/file.0123456789ab"),
        ("a/b/c.min.js", "a/b/c.min.0123456789ab.js"),
    ])
    func hashedNamesFollowPythonSplitext(_ input: String, _ expected: String) {
        #expect(HashedName.make(input, hash: "0123456789ab") == expected)
    }

    @Test(arguments: [
        ("app.css", "app", ".css"), ("LICENSE", "LICENSE", ""), ("archive.tar.gz", "archive.tar", ".gz"),
        (".htaccess", ".htaccess", ""), ("..dots", "..dots", ""), ("weird.name.", "weird.name", "."),
        ("é.min.js", "é.min", ".js"),
    ])
    func extensionsSplitAsPythonSplitext(_ basename: String, _ root: String, _ ext: String) {
        #expect(HashedName.splitExtension(basename) == (root, ext))
    }

    @Test func fingerprintIsMD5Prefix() {
        #expect(ContentDigest(of: [UInt8]()).fingerprint == "d41d8cd98f00")
        #expect(ContentDigest(of: Array("hello".utf8)).md5 == "5d41402abc4b2a76b9719d911017c592")
        #expect(
            ContentDigest(of: Array("hello".utf8)).integrity
                == "sha384-WeF0h3dEjGnea4ANejO7+5/xtGPkQ1TDVTvNucZm+pASWjx5+QOXvfX2oT3oKGhP")
    }

    @Test func pythonJSONEscapes() {
        #expect(PythonJSON.string("café") == #""caf\u00e9""#)
        #expect(PythonJSON.string("🎉") == #""\ud83c\udf89""#)
        #expect(PythonJSON.string("a\"b\\c\n\u{7f}/") == #""a\"b\\c\n\u007f/""#)
    }

    @Test func manifestBytesMatchDjangoLayout() {
        let manifest = ManifestWriter.manifest(
            paths: ["b.css": "b.222222222222.css", "a.css": "a.111111111111.css", "é.txt": "é.333333333333.txt"],
            files: [:])
        let text = String(decoding: ManifestWriter.encode(manifest), as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"paths": {"a.css": "a.111111111111.css", "b.css": "b.222222222222.css", "\u00e9.txt": "\u00e9.333333333333.txt"}, "version": "1.1", "hash": ""#
            ))
        #expect(text.hasSuffix(#", "files": {}}"#))
    }
}

@Suite struct IgnorePatternTests {
    @Test(arguments: [
        ("*.txt", "a.txt", true), ("*.txt", "dir/a.txt", true), ("CVS", "CVS", true), ("CVS", "cvs", false),
        (".*", ".hidden", true), (".*", "a.b", false), ("*~", "app.css~", true), ("a?c", "abc", true),
        ("a?c", "ac", false), ("[ab]x", "bx", true), ("[!ab]x", "bx", false), ("[!ab]x", "cx", true),
        ("[a-c]", "b", true), ("[", "[", true), ("a[", "a[", true), ("css/*.map", "css/x/y.map", true),
        ("*", "", true), ("", "", true), ("", "a", false), ("**/x", "a/b/x", true), ("[]]", "]", true),
    ])
    func fnmatchcaseSemantics(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(IgnorePattern(pattern).matches(text) == expected)
    }

    @Test func normalisesLikeDjango() {
        #expect(IgnorePattern.normalized(["a/./b/", "a/b", "x/../y", "*~"]) == ["a/b", "y", "*~"])
    }
}
