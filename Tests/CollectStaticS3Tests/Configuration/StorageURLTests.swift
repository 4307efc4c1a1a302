import Testing

@testable import CollectStaticS3

@Suite("COLLECTSTATIC_STORAGE URL")
struct StorageURLTests {
    static let keys = ["AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "env/secret+1"]

    @Test func plainBucketAndPrefixOnAWS() throws {
        let c = try StorageURL.parse("s3://my-assets/static/v1/", environment: Self.keys)
        #expect(c.bucket == "my-assets" && c.prefix == "static/v1")
        #expect(c.scheme == "https" && c.host == "s3.us-east-1.amazonaws.com" && c.port == nil)
        #expect(c.region == "us-east-1" && c.addressing == .virtual)
        #expect(c.credentials == Credentials(accessKeyID: "AKENV", secretAccessKey: "env/secret+1"))
        #expect(c.requestHost == "my-assets.s3.us-east-1.amazonaws.com")
        #expect(c.key("staticfiles.json") == "static/v1/staticfiles.json")
        let root = try StorageURL.parse("s3://my-assets", environment: Self.keys)
        #expect(root.prefix == "" && root.key("a.css") == "a.css")
    }

    @Test func endpointOrderEnvironmentS3ThenGeneralThenQuery() throws {
        let url = "s3://b-1/p?endpoint=http://query:9000&region=eu-west-3"
        var env = Self.keys
        #expect(try StorageURL.parse(url, environment: env).endpointDescription == "http://query:9000")
        env["AWS_ENDPOINT_URL"] = "http://general:1"
        #expect(try StorageURL.parse(url, environment: env).endpointDescription == "http://general:1")
        env["AWS_ENDPOINT_URL_S3"] = "https://s3only"
        let c = try StorageURL.parse(url, environment: env)
        #expect(c.endpointDescription == "https://s3only" && c.addressing == .path)
        #expect(c.requestHost == "s3only" && c.requestPath(key: "a b") == "/b-1/a b")
    }

    @Test func regionOrderEnvironmentThenDefaultThenQuery() throws {
        let url = "s3://b-1/p?region=eu-west-3"
        var env = Self.keys
        #expect(try StorageURL.parse(url, environment: env).region == "eu-west-3")
        env["AWS_DEFAULT_REGION"] = "ap-south-1"
        #expect(try StorageURL.parse(url, environment: env).region == "ap-south-1")
        env["AWS_REGION"] = "us-west-2"
        let c = try StorageURL.parse(url, environment: env)
        #expect(c.region == "us-west-2" && c.host == "s3.us-west-2.amazonaws.com")
    }

    @Test func inlineCredentialsAsDjangoStorageURLWritesThem() throws {
        let c = try StorageURL.parse(
            "s3://AKINLINE:in%2Fline%2Bsecret@media.nyc3.digitaloceanspaces.com/static?region=nyc3",
            environment: Self.keys.merging(["AWS_SESSION_TOKEN": "tok"]) { a, _ in a })
        #expect(
            c.credentials
                == Credentials(accessKeyID: "AKINLINE", secretAccessKey: "in/line+secret", sessionToken: "tok"))
        #expect(c.bucket == "media" && c.host == "nyc3.digitaloceanspaces.com" && c.prefix == "static")
        #expect(c.addressing == .path)
        #expect(
            StorageURL.redacted("s3://AKINLINE:in%2Fline@media.example.com/static")
                == "s3://AKINLINE:***@media.example.com/static")
    }

    @Test func addressingChoices() throws {
        #expect(try StorageURL.parse("s3://my.dotted.bucket/p", environment: Self.keys).addressing == .path)
        #expect(try StorageURL.parse("s3://b-1/p?addressing=path", environment: Self.keys).addressing == .path)
        let v = try StorageURL.parse(
            "s3://b-1/p?addressing=virtual&endpoint=http://127.0.0.1:9000", environment: Self.keys)
        #expect(v.addressing == .virtual && v.requestHost == "b-1.127.0.0.1:9000" && v.requestPath(key: "k") == "/k")
    }

    @Test(arguments: [
        ("http://bucket/p", "expected s3://BUCKET/PREFIX"),
        ("s3:///p", "no bucket"),
        ("s3://B_/p", "is not a bucket name"),
        ("s3://ab/p", "is not a bucket name"),
        ("s3://b-1/p?addressing=sideways", "addressing= must be path or virtual"),
        ("s3://b-1/p?colour=red", "unknown parameter 'colour'"),
        ("s3://b-1/p?endpoint=ftp://x", "is not http(s)://HOST[:PORT]"),
        ("s3://b-1:99/p", "a port belongs in the endpoint"),
        ("s3://b-1/a/../b", "'.' or '..'"),
    ])
    func malformedIsOneLineNamingTheProblem(_ url: String, _ expected: String) {
        #expect {
            try StorageURL.parse(url, environment: Self.keys)
        } throws: { error in
            let text = "\(error)"
            return text.contains(expected) && !text.contains("\n") && text.hasPrefix("COLLECTSTATIC_STORAGE ")
        }
    }

    @Test func missingCredentialsAndSecretsNeverShown() {
        #expect {
            try StorageURL.parse("s3://b-1/p", environment: [:])
        } throws: { "\($0)".contains("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") }
        #expect {
            try StorageURL.parse("s3://AK:topsecret@b-1/p?colour=red", environment: [:])
        } throws: { !"\($0)".contains("topsecret") && "\($0)".contains("AK:***@b-1") }
    }
}
