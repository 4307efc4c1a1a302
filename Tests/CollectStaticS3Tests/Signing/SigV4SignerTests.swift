import Crypto
import Foundation
import TestSupport
import Testing

@testable import CollectStaticS3

@Suite("SigV4 signer")
struct SigV4SignerTests {
    /// The example credentials and instant of AWS's S3 SigV4 documentation.
    static let example = SigV4Signer(
        credentials: Credentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    static let exampleDate = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    /// "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk",
    /// Example: GET Object (first 10 bytes of test.txt), every published intermediate value.
    @Test func awsDocumentedGetObjectWithRange() {
        let signed = Self.example.sign(
            .init(
                method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                headers: [("Range", "bytes=0-9")], payloadSHA256: SigV4Signer.emptyPayloadSHA256),
            at: Self.exampleDate)
        #expect(
            signed.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signed.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        // The documentation writes the header without spaces after the commas; botocore (and we) add them.
        #expect(
            signed.authorization.replacingOccurrences(of: ", ", with: ",")
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    /// Same documentation, Example: GET Bucket (List Objects) with `max-keys=2&prefix=J`.
    @Test func awsDocumentedListObjects() {
        let signed = Self.example.sign(
            .init(
                method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/",
                query: [("prefix", "J"), ("max-keys", "2")], payloadSHA256: SigV4Signer.emptyPayloadSHA256),
            at: Self.exampleDate)
        #expect(
            signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "max-keys=2&prefix=J"
        )
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func keyEncodingKeepsSlashesAndEncodesTheRest() {
        #expect(URIEncoding.encode("a b/ü+~_.-x", keepSlash: true) == "a%20b/%C3%BC%2B~_.-x")
        #expect(URIEncoding.encode("a/b=c&d", keepSlash: false) == "a%2Fb%3Dc%26d")
    }

    @Test func secretNeverInDescriptionOrHeaders() {
        let credentials = Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s3cr3t/Value", sessionToken: "tok")
        #expect(!"\(credentials)".contains("s3cr3t"))
        let signed = SigV4Signer(credentials: credentials, region: "eu-west-1").sign(
            .init(method: "GET", host: "h", path: "/", payloadSHA256: SigV4Signer.emptyPayloadSHA256),
            at: Self.exampleDate)
        #expect(!signed.headers.contains { $0.1.contains("s3cr3t") })
        #expect(signed.headers.contains { $0.0 == "x-amz-security-token" && $0.1 == "tok" })
    }

    /// 60 generated requests signed by us and by botocore's S3SigV4Auth at one fixed instant: every
    /// header botocore sends (authorization, x-amz-date, x-amz-content-sha256, token) byte for byte.
    @Test(.enabled(if: PythonTools.botocore)) func matchesBotocoreOnGeneratedRequests() throws {
        var random = SeededRandom(seed: 21)
        let keyParts = [
            "a", "Z9", "ü", "日本", "sp ace", "plus+sign", "tilde~", "dash-", "dot.", "under_", "%", "=", "&",
            "(paren)", "'q'", "*", "é", "emoji😀", "semi;colon", ",", "$", "@",
        ]
        let methods = ["GET", "PUT", "HEAD", "DELETE", "POST"]
        let queryKeys = [
            "prefix", "list-type", "continuation-token", "delimiter", "max-keys", "delete", "uploads",
            "x-id", "a b", "ü",
        ]
        let queryValues = ["", "2", "a/b/", "sp ace", "plus+", "ü", "~tilde", "1000", "x=y&z", "/"]
        let headerSets: [[(String, String)]] = [
            [], [("Range", "bytes=0-9")], [("Content-Type", "text/css; charset=utf-8")],
            [("Content-Encoding", "br"), ("Cache-Control", "public, max-age=31536000, immutable")],
            [("If-None-Match", "*")], [("If-Match", "\"abc\"")], [("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
            [("X-Amz-Meta-Sha256", "  padded   value  ")],
        ]
        var requests: [SigV4Signer.Request] = []
        var bodies: [Data] = []
        for index in 0..<60 {
            let depth = Int.random(in: 1...4, using: &random)
            let key = (0..<depth).map { _ in
                (0..<Int.random(in: 1...3, using: &random)).map { _ in keyParts.randomElement(using: &random) ?? "a" }
                    .joined()
            }.joined(separator: "/")
            let path = index.isMultiple(of: 7) ? "/" : (index.isMultiple(of: 2) ? "/bucket/\(key)" : "/\(key)")
            let query = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                (queryKeys.randomElement(using: &random) ?? "a", queryValues.randomElement(using: &random) ?? "")
            }
            let method = methods.randomElement(using: &random) ?? "GET"
            let body: Data =
                method == "PUT" || method == "POST"
                ? Data(
                    (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                )
                : Data()
            let host = index.isMultiple(of: 3) ? "127.0.0.1:9000" : "bucket-\(index).s3.eu-west-1.amazonaws.com"
            requests.append(
                .init(
                    method: method, host: host, path: path, query: query,
                    headers: headerSets.randomElement(using: &random) ?? [],
                    payloadSHA256: SigV4Signer.sha256Hex(body)))
            bodies.append(body)
        }
        let credentials = Credentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: "session/token+=")
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1")
        let date = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

        let spec: [String: Any] = [
            "access_key": credentials.accessKeyID, "secret_key": credentials.secretAccessKey,
            "session_token": credentials.sessionToken ?? NSNull(), "region": "eu-west-1",
            "timestamp": "2026-01-01T00:00:00",
            "requests": zip(requests, bodies).map { request, body in
                [
                    "method": request.method, "host": request.host, "path": request.path,
                    "query": request.query.map { [$0.0, $0.1] }, "headers": request.headers.map { [$0.0, $0.1] },
                    "body_base64": body.base64EncodedString(),
                ] as [String: Any]
            },
        ]
        let input = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let result = TestSupport.run(
            "/usr/bin/env", ["python3", PythonTools.script("sign_oracle.py")], stdin: input)
        try #require(result.status == 0, "\(result.stderr)")
        let expected = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: String]])
        try #require(expected.count == requests.count)
        for (index, request) in requests.enumerated() {
            let ours = Dictionary(
                signer.sign(request, at: date).headers.map { ($0.0.lowercased(), $0.1) },
                uniquingKeysWith: { a, _ in a })
            for name in ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"] {
                #expect(
                    ours[name] == expected[index][name], "request \(index) \(request.method) \(request.path) \(name)")
            }
        }
    }
}
