"""boto3 as the independent peer of the tests: reads and writes the bucket the way AWS's SDK does.

argv: ENDPOINT ACCESS_KEY SECRET_KEY COMMAND ARGS...
  create-bucket BUCKET
  get BUCKET KEY        -> JSON {"body_base64", "content_type", "content_encoding", "cache_control", "etag"}
                           or {"no_such_key": true}
  put BUCKET KEY TEXT   -> JSON {"etag"}
  keys BUCKET PREFIX    -> JSON list of keys (paged)
  delete BUCKET KEY     -> JSON {}
  verify BUCKET PREFIX MANIFEST
                        -> JSON {"pointer": SHA-256 of the pointer or null, "checked": N, "problems": [...],
                           "originals": [...], "originals_placed": bool}:
                           every file the pointer manifest PREFIX/MANIFEST lists is an object of the
                           size and SRI digest it records; every .br/.gz/.zst variant has its recorded
                           size and SHA-256, Content-Encoding, and decodes (gzip module, brotli CLI,
                           zstd CLI) to the file's bytes; every dcz/dcb delta has its size and SHA-256.
                           "problems" are those of hashed names, "originals" those of unhashed names;
                           "originals_placed": the history's newest release is the pointer's, complete
"""
import base64
import gzip
import hashlib
import json
import subprocess
import sys

import boto3
from botocore.config import Config


def main():
    endpoint, access_key, secret_key, command, *args = sys.argv[1:]
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, config=Config(s3={"addressing_style": "path"}))
    if command == "create-bucket":
        s3.create_bucket(Bucket=args[0])
        print("{}")
    elif command == "get":
        try:
            obj = s3.get_object(Bucket=args[0], Key=args[1])
        except s3.exceptions.NoSuchKey:
            print(json.dumps({"no_such_key": True}))
            return
        print(json.dumps({
            "body_base64": base64.b64encode(obj["Body"].read()).decode(),
            "content_type": obj.get("ContentType"),
            "content_encoding": obj.get("ContentEncoding"),
            "cache_control": obj.get("CacheControl"),
            "etag": obj.get("ETag"),
        }))
    elif command == "put":
        obj = s3.put_object(Bucket=args[0], Key=args[1], Body=args[2].encode())
        print(json.dumps({"etag": obj["ETag"]}))
    elif command == "keys":
        keys = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=args[0], Prefix=args[1]):
            keys += [item["Key"] for item in page.get("Contents", [])]
        print(json.dumps(keys))
    elif command == "delete":
        s3.delete_object(Bucket=args[0], Key=args[1])
        print("{}")
    elif command == "verify":
        print(json.dumps(verify(s3, *args)))
    else:
        sys.exit(f"unknown command {command}")


SUFFIXES = {"br": ".br", "gzip": ".gz", "zstd": ".zst"}


def decode(encoding, data):
    if encoding == "gzip":
        return gzip.decompress(data)
    tool = {"br": ["brotli", "-d", "-c"], "zstd": ["zstd", "-d", "-c", "-q"]}[encoding]
    return subprocess.run(tool, input=data, capture_output=True, check=True).stdout


def verify(s3, bucket, prefix, manifest_name):
    key = lambda name: f"{prefix}/{name}" if prefix else name

    def read(name):
        try:
            obj = s3.get_object(Bucket=bucket, Key=key(name))
        except s3.exceptions.NoSuchKey:
            return None, None
        return obj["Body"].read(), obj.get("ContentEncoding")

    pointer, _ = read(manifest_name)
    if pointer is None:
        return {"pointer": None, "checked": 0, "problems": [], "originals": [], "originals_placed": False}
    manifest = json.loads(pointer)
    hashed = set(manifest.get("paths", {}).values())
    hashed_problems, original_problems = [], []
    checked = 0
    for name, entry in manifest.get("files", {}).items():
        problems = hashed_problems if name in hashed else original_problems
        body, _ = read(name)
        checked += 1
        if body is None:
            problems.append(f"{name}: missing")
            continue
        digest = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
        if len(body) != entry["size"] or digest != entry["integrity"]:
            problems.append(f"{name}: {len(body)} bytes, {digest}; the manifest says {entry['size']}, {entry['integrity']}")
            continue
        for encoding, variant in entry.get("encodings", {}).items():
            size = variant if isinstance(variant, int) else variant["size"]
            data, coding = read(name + SUFFIXES[encoding])
            checked += 1
            if data is None:
                problems.append(f"{name}: {encoding} variant missing")
            elif len(data) != size or (isinstance(variant, dict) and variant.get("sha256")
                                       and hashlib.sha256(data).hexdigest() != variant["sha256"]):
                problems.append(f"{name}: {encoding} variant is not the recorded one")
            elif coding != encoding:
                problems.append(f"{name}: {encoding} variant has Content-Encoding {coding}")
            elif decode(encoding, data) != body:
                problems.append(f"{name}: {encoding} variant does not decode to the file")
        for coding in ("dcz", "dcb"):
            for dictionary, delta in entry.get(coding, {}).items():
                data, _ = read(f"{name}.{dictionary[:16]}.{coding}")
                checked += 1
                if data is None or len(data) != delta["size"] or hashlib.sha256(data).hexdigest() != delta["sha256"]:
                    problems.append(f"{name}: {coding} delta against {dictionary[:16]} missing or not the recorded one")
    pointer_id = hashlib.sha256(pointer).hexdigest()
    history, _ = read(".collectstatic/history.json")
    newest = (json.loads(history).get("releases") or [{}])[0] if history else {}
    placed = newest.get("id") == pointer_id and newest.get("complete") is not False
    return {"pointer": pointer_id, "checked": checked, "problems": hashed_problems, "originals": original_problems,
            "originals_placed": placed}


if __name__ == "__main__":
    main()
