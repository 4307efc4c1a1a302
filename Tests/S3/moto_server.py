"""moto's S3 server for the tests, with signature checking on, a request log and injected faults.

Starts on a free loopback port with INITIAL_NO_AUTH_ACTION_COUNT=3, uses those three free requests
to make an IAM user with an inline Allow *:* policy and an access key, then prints one JSON line
{"port", "access_key", "secret_key"} and serves until its standard input closes (the test process
ended). Requests from then on must be signed with that key: a wrong secret gets 403.

Outside moto (never logged, never signed):
  GET /__requests                   the log: [{"method", "uri"}] of every request moto received
  GET /__fault?status=503&code=SlowDown&count=2[&match=SUBSTRING]
                                    the next `count` requests (whose URI contains `match`) get that
                                    error instead of reaching moto
"""
import json
import os
import sys
import threading
from urllib.parse import parse_qs

os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"

import boto3  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

lock = threading.Lock()
log = []
faults = []


class Middleware:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/__requests":
            with lock:
                body = json.dumps(log).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        if path == "/__fault":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            with lock:
                for _ in range(int(query.get("count", ["1"])[0])):
                    faults.append((int(query["status"][0]), query.get("code", [""])[0], query.get("match", [""])[0]))
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or path
        fault = None
        with lock:
            log.append({"method": environ.get("REQUEST_METHOD", ""), "uri": uri})
            for index, (status, code, match) in enumerate(faults):
                if match in uri:
                    fault = faults.pop(index)
                    break
        if fault:
            status, code, _ = fault
            body = f"<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
            start_response(f"{status} Injected", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


def main():
    app = Middleware(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    iam = boto3.client(
        "iam", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
        aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="collectstatic")
    iam.put_user_policy(
        UserName="collectstatic", PolicyName="all",
        PolicyDocument=json.dumps({"Version": "2012-10-17",
                                   "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="collectstatic")["AccessKey"]
    print(json.dumps({"port": port, "access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"]}),
          flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
