"""Signs requests with botocore's S3SigV4Auth, the reference our Swift signer is compared with.

stdin: JSON {"access_key", "secret_key", "session_token"|null, "region", "timestamp" (ISO, UTC),
             "requests": [{"method", "host", "path" (decoded), "query": [[k, v], ...],
                           "headers": [[name, value], ...], "body_base64"}]}
stdout: JSON list, one object per request: {lower-case header name: value} of the signed request.
"""
import base64
import datetime
import json
import sys
from urllib.parse import quote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    spec = json.load(sys.stdin)
    fixed = datetime.datetime.fromisoformat(spec["timestamp"]).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda *args, **kwargs: fixed
    credentials = Credentials(spec["access_key"], spec["secret_key"], spec.get("session_token"))
    signer = botocore.auth.S3SigV4Auth(credentials, "s3", spec["region"])
    out = []
    for item in spec["requests"]:
        # http://: botocore signs the payload's SHA-256 (as we always do) instead of UNSIGNED-PAYLOAD.
        url = "http://" + item["host"] + quote(item["path"], safe="/~")
        request = AWSRequest(
            method=item["method"],
            url=url,
            params=[tuple(pair) for pair in item["query"]],
            data=base64.b64decode(item["body_base64"]),
        )
        for name, value in item["headers"]:
            request.headers[name] = value
        signer.add_auth(request)
        out.append({name.lower(): value for name, value in request.headers.items()})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
