import Foundation
import StaticAssetsServer
import Testing

@Suite struct ConditionalAndRangeTests {
    let fixture = StaticRootFixture()
    var responder: StaticFileResponder { fixture.responder() }
    let css = "/static/css/app.3f2a9c1b7d4e.css"
    let js = "/static/js/app.0123456789ab.js"

    func respond(_ path: String, _ headers: [(name: String, value: String)], method: String = "GET") throws
        -> StaticResponse
    {
        try #require(responder.respond(to: get(path, headers, method: method)))
    }

    func etag(_ path: String, encoding: String? = nil) throws -> String {
        try #require(try respond(path, encoding.map { [("Accept-Encoding", $0)] } ?? []).header("ETag"))
    }

    @Test func ifNoneMatchGives304WithValidators() throws {
        let tag = try etag(css, encoding: "br")
        for value in [tag, "\"nope\", \(tag)", "W/\(tag)", "*"] {
            let response = try respond(css, [("Accept-Encoding", "br"), ("If-None-Match", value)])
            #expect(response.status == 304, "\(value)")
            #expect(response.body == .none)
            #expect(response.header("ETag") == tag)
            #expect(response.header("Vary") == "Accept-Encoding")
            #expect(response.header("Cache-Control") == "public, max-age=31536000, immutable")
            #expect(response.header("Content-Length") == "6")  // what the 200 would carry
        }
        // The identity tag does not validate the br representation.
        let identityTag = try etag(css)
        #expect(try respond(css, [("Accept-Encoding", "br"), ("If-None-Match", identityTag)]).status == 200)
        #expect(try respond(css, [("If-None-Match", identityTag)]).status == 304)
        #expect(try respond(css, [("If-None-Match", "\"other\"")]).status == 200)
    }

    @Test func ifModifiedSince() throws {
        let lastModified = try #require(try respond(css, []).header("Last-Modified"))
        #expect(try respond(css, [("If-Modified-Since", lastModified)]).status == 304)
        #expect(try respond(css, [("If-Modified-Since", "Thu, 01 Jan 2099 00:00:00 GMT")]).status == 304)
        #expect(try respond(css, [("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")]).status == 200)
        #expect(try respond(css, [("If-Modified-Since", "not a date")]).status == 200)
    }

    @Test func ifNoneMatchTakesPrecedenceOverIfModifiedSince() throws {
        let lastModified = try #require(try respond(css, []).header("Last-Modified"))
        let response = try respond(css, [("If-None-Match", "\"stale\""), ("If-Modified-Since", lastModified)])
        #expect(response.status == 200)
        let tag = try etag(css)
        #expect(
            try respond(css, [("If-None-Match", tag), ("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")]).status
                == 304)
    }

    @Test func singleRangeOnIdentity() throws {
        let size = StaticRootFixture.js.count
        let part = try respond(js, [("Range", "bytes=10-19")])
        #expect(part.status == 206)
        #expect(part.header("Content-Range") == "bytes 10-19/\(size)")
        #expect(part.header("Content-Length") == "10")
        #expect(part.body == diskBody(fixture.path("js/app.0123456789ab.js"), 10..<20))
        let suffix = try respond(js, [("Range", "bytes=-5")])
        #expect(suffix.body == diskBody(fixture.path("js/app.0123456789ab.js"), (size - 5)..<size))
        let open = try respond(js, [("Range", "bytes=\(size - 3)-")])
        #expect(open.header("Content-Range") == "bytes \(size - 3)-\(size - 1)/\(size)")
    }

    @Test func unsatisfiableRangeIs416() throws {
        let response = try respond(js, [("Range", "bytes=\(StaticRootFixture.js.count)-")])
        #expect(response.status == 416)
        #expect(response.header("Content-Range") == "bytes */\(StaticRootFixture.js.count)")
        #expect(response.header("Vary") == "Accept-Encoding")
        #expect(response.body == .none)
    }

    @Test func multiRangeAndGarbageGetTheWholeFile() throws {
        for value in ["bytes=0-1,5-6", "bytes=9-2", "lines=1-2"] {
            let response = try respond(js, [("Range", value)])
            #expect(response.status == 200, "\(value)")
            #expect(response.header("Content-Range") == nil)
        }
    }

    @Test func rangeIsIgnoredForCompressedRepresentations() throws {
        let response = try respond(js, [("Range", "bytes=0-1"), ("Accept-Encoding", "gzip")])
        #expect(response.status == 200)
        #expect(response.header("Content-Encoding") == "gzip")
        #expect(response.body == diskBody(fixture.path("js/app.0123456789ab.js.gz"), 0..<5))
    }

    @Test func rangeIsIgnoredForHead() throws {
        let response = try respond(js, [("Range", "bytes=0-1")], method: "HEAD")
        #expect(response.status == 200)
        #expect(response.header("Content-Length") == "\(StaticRootFixture.js.count)")
    }

    @Test func ifRange() throws {
        let tag = try etag(js)
        let lastModified = try #require(try respond(js, []).header("Last-Modified"))
        #expect(try respond(js, [("Range", "bytes=0-1"), ("If-Range", tag)]).status == 206)
        #expect(try respond(js, [("Range", "bytes=0-1"), ("If-Range", lastModified)]).status == 206)
        #expect(try respond(js, [("Range", "bytes=0-1"), ("If-Range", "\"old\"")]).status == 200)
        #expect(try respond(js, [("Range", "bytes=0-1"), ("If-Range", "W/\(tag)")]).status == 200)
        #expect(try respond(js, [("Range", "bytes=0-1"), ("If-Range", "Thu, 01 Jan 1970 00:00:00 GMT")]).status == 200)
    }

    @Test func repeatedHeaderFieldsAreCombined() throws {
        let response = try respond(css, [("Accept-Encoding", "gzip;q=0.5"), ("accept-encoding", "br")])
        #expect(response.header("Content-Encoding") == "br")
    }
}
