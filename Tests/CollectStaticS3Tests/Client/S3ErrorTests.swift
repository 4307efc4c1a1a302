import Testing

@testable import CollectStaticS3

@Suite("S3 error lines")
struct S3ErrorTests {
    static func line(_ status: Int, _ code: String?) -> String {
        S3Error(
            kind: .response(status: status, code: code, message: nil), operation: "PutObject", key: "p/a.css",
            bucket: "assets", endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1"
        ).description
    }

    @Test(arguments: [
        (403, "InvalidAccessKeyId", "check AWS_ACCESS_KEY_ID"),
        (403, "SignatureDoesNotMatch", "check AWS_SECRET_ACCESS_KEY"),
        (404, "NoSuchBucket", "the bucket does not exist"),
        (403, "AccessDenied", "check that the credentials' policy allows"),
        (400, "AccessControlListNotSupported", "the bucket refuses ACLs"),
        (400, "AuthorizationHeaderMalformed", "the region 'eu-west-1' is wrong for this bucket"),
        (301, "PermanentRedirect", "check AWS_REGION"),
    ])
    func oneLineNamingBucketEndpointAndWhatToCheck(_ status: Int, _ code: String, _ advice: String) {
        let text = Self.line(status, code)
        #expect(
            text.hasPrefix("\(code) from bucket 'assets' at https://s3.eu-west-1.amazonaws.com (PutObject 'p/a.css'): ")
        )
        #expect(text.contains(advice), "\(text)")
        #expect(!text.contains("\n"))
    }
}
