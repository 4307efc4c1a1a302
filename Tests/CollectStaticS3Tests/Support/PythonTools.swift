import Foundation
import TestSupport

/// Python modules the S3 tests use as independent peers (botocore's signer, boto3 as a reader, moto
/// as the server). In CI they must be importable (`.ci/run` installs them); elsewhere a test that
/// needs one is a recorded skip.
enum PythonTools {
    static func importable(_ module: String) -> Bool {
        TestSupport.run("/usr/bin/env", ["python3", "-c", "import \(module)"]).status == 0
    }

    static var botocore: Bool { Requirement.isCI || importable("botocore") }
    static var moto: Bool { Requirement.isCI || (importable("moto.server") && importable("boto3")) }

    static func script(_ name: String) -> String {
        TestSupport.packageRoot.appendingPathComponent("Tests/S3/\(name)").path
    }
}
