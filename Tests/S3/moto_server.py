"""moto's S3 server for the tests, with signature checking on, a request log and injected faults.

Starts on a free loopback port with INITIAL_NO_AUTH_ACTION_COUNT=3, uses those three free requests
to make an IAM user with an inline Allow *:* policy and an access key, then prints one JSON line
{"port", "access_key", "secret_key"} and serves until its standard input closes (the test process
ended). Requests from then on must be signed with that key: a wrong secret gets 403.

Outside moto (never logged, never signed):
  GET /__requests                   the log: [{"method", "uri", "copy"}] of every request moto received
                                    ("copy": a PUT with x-amz-copy-source, a CopyObject)
  GET /__fault?status=503&code=SlowDown&count=2[&match=SUBSTRING][&method=PUT]
                                    the next `count` requests (whose URI contains `match`, with that
                                    method) get that error instead of reaching moto
  GET /__fault?kind=reset&count=1[&match=…][&method=…]
                                    … have their connection ended with no answer (shut down, then
                                    closed with SO_LINGER 0)
  GET /__fault?kind=lose&count=1[&match=…][&method=…]
                                    … reach moto, which does the work, but the answer is lost (the
                                    connection is ended as with reset)
  GET /__fault?kind=delay&seconds=3&count=1[&match=…][&method=…]
                                    … reach moto only after that many seconds (a slow response)

moto canonicalises a signed request's query string from its decoded URL, so a '/' in a query value
(ListObjectsV2's prefix=a/b) failed the signature check even from boto3. AWS URI-encodes each name
and value of the canonical query; the patch below makes moto do the same.
"""
import json
import os
import socket
import struct
import sys
import threading
import time
from urllib.parse import parse_qs, quote, unquote

os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"

import boto3  # noqa: E402
import botocore.auth  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402


def _canonical_query_string_url(self, parts):
    if not parts.query:
        return ""
    pairs = []
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        pairs.append((quote(unquote(key), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


botocore.auth.SigV4Auth._canonical_query_string_url = _canonical_query_string_url

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
            fault = {
                "kind": query.get("kind", ["error"])[0],
                "status": int(query.get("status", ["500"])[0]),
                "code": query.get("code", [""])[0],
                "match": query.get("match", [""])[0],
                "method": query.get("method", [""])[0],
                "seconds": float(query.get("seconds", ["0"])[0]),
            }
            with lock:
                for _ in range(int(query.get("count", ["1"])[0])):
                    faults.append(dict(fault))
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or path
        method = environ.get("REQUEST_METHOD", "")
        fault = None
        with lock:
            log.append({"method": method, "uri": uri, "copy": "HTTP_X_AMZ_COPY_SOURCE" in environ})
            for index, candidate in enumerate(faults):
                if candidate["match"] in uri and candidate["method"] in ("", method):
                    fault = faults.pop(index)
                    break
        if fault and fault["kind"] == "delay":
            time.sleep(fault["seconds"])
            return self.app(environ, start_response)
        if fault and fault["kind"] == "lose":
            # moto does the work; the answer never reaches the client.
            for _ in self.app(environ, lambda *args, **kwargs: None):
                pass
            connection = environ["werkzeug.socket"]
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.shutdown(socket.SHUT_RDWR)
            start_response("200 OK", [])
            return []
        if fault and fault["kind"] == "reset":
            # SO_LINGER 0: the socket's close (when werkzeug lets go of it) is an RST; the shutdown
            # ends the exchange now, before any answer.
            connection = environ["werkzeug.socket"]
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.shutdown(socket.SHUT_RDWR)
            start_response("200 OK", [])
            return []
        if fault:
            status, code = fault["status"], fault["code"]
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
