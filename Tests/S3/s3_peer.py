"""boto3 as the independent peer of the tests: reads and writes the bucket the way AWS's SDK does.

argv: ENDPOINT ACCESS_KEY SECRET_KEY COMMAND ARGS...
  create-bucket BUCKET
  get BUCKET KEY        -> JSON {"body_base64", "content_type", "content_encoding", "cache_control", "etag"}
                           or {"missing": true}
  put BUCKET KEY TEXT   -> JSON {"etag"}
  keys BUCKET PREFIX    -> JSON list of keys (paged)
"""
import base64
import json
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
            print(json.dumps({"missing": True}))
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
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
