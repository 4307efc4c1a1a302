import StaticAssetsServer
import Testing

@Suite struct EntityTagTests {
    let tag = EntityTag(opaque: "abc")

    @Test func formatting() {
        #expect(tag.description == "\"abc\"")
        #expect(EntityTag(opaque: "abc", isWeak: true).description == "W/\"abc\"")
    }

    @Test func ifNoneMatchListsStarAndWeakComparison() {
        #expect(EntityTag.noneMatchCondition("\"abc\"", matches: tag))
        #expect(EntityTag.noneMatchCondition("\"x\", \"abc\"", matches: tag))
        #expect(EntityTag.noneMatchCondition("\"x\",\"y\" ,W/\"abc\"", matches: tag))
        #expect(EntityTag.noneMatchCondition("*", matches: tag))
        #expect(EntityTag.noneMatchCondition(" * ", matches: tag))
        #expect(!EntityTag.noneMatchCondition("\"abcd\"", matches: tag))
        #expect(!EntityTag.noneMatchCondition("abc", matches: tag))  // unquoted: malformed, skipped
        #expect(!EntityTag.noneMatchCondition("", matches: tag))
        #expect(!EntityTag.noneMatchCondition("\"abc", matches: tag))
        #expect(EntityTag.noneMatchCondition("garbage, \"abc\"", matches: tag))
    }

    @Test func strongComparisonRefusesWeakTags() {
        #expect(tag.stronglyMatches(EntityTag(opaque: "abc")))
        #expect(!tag.stronglyMatches(EntityTag(opaque: "abc", isWeak: true)))
        #expect(tag.weaklyMatches(EntityTag(opaque: "abc", isWeak: true)))
    }
}

@Suite struct HTTPDateTests {
    @Test func formatsIMFFixdate() {
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(1_709_251_199) == "Thu, 29 Feb 2024 23:59:59 GMT")
    }

    @Test func parsesTheThreeFormats() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == 784_111_777)
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 23:59:59 GMT") == 1_709_251_199)
    }

    @Test func rejectsGarbage() {
        #expect(HTTPDate.parse("") == nil)
        #expect(HTTPDate.parse("yesterday") == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 PST") == nil)
        #expect(HTTPDate.parse("Sun, 06 Foo 1994 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 25:49:37 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 6 Nov 1994 08:49:37 GMT") == nil)
    }

    @Test func roundTrips() {
        for seconds in [0, 951_782_400, 1_700_000_000, 4_102_444_800] {
            #expect(HTTPDate.parse(HTTPDate.format(seconds)) == seconds)
        }
    }
}

@Suite struct ContentTypeTests {
    @Test func textTypesCarryCharset() {
        for (name, type) in [
            ("a.css", "text/css"), ("a.js", "text/javascript"), ("a.mjs", "text/javascript"),
            ("a.json", "application/json"), ("a.js.map", "application/json"), ("a.svg", "image/svg+xml"),
            ("a.html", "text/html"), ("a.txt", "text/plain"), ("a.xml", "application/xml"),
            ("site.webmanifest", "application/manifest+json"),
        ] {
            #expect(ContentTypes.contentType(for: name) == type + "; charset=utf-8")
        }
    }

    @Test func binaryTypesDoNot() {
        #expect(ContentTypes.contentType(for: "img/a.PNG") == "image/png")
        #expect(ContentTypes.contentType(for: "f.woff2") == "font/woff2")
        #expect(ContentTypes.contentType(for: "LICENSE") == "application/octet-stream")
        #expect(ContentTypes.contentType(for: "dir.d/LICENSE") == "application/octet-stream")
        #expect(ContentTypes.contentType(for: "x.unknown") == "application/octet-stream")
    }
}
