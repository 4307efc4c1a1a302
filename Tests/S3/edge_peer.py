"""boto3 helper for the edge tests: makes a bucket whose PREFIX is publicly readable.

argv: ENDPOINT ACCESS_KEY SECRET_KEY COMMAND ARGS...
  public-read BUCKET PREFIX   -> puts the bucket policy docs/guides/cdn.md shows (anonymous
                                 s3:GetObject on arn:aws:s3:::BUCKET/PREFIX/*), prints "{}"
  public-read-head BUCKET PREFIX
                              -> the same with a second statement allowing s3:HeadObject: moto 5.2.1
                                 judges an anonymous HEAD by that action, where AWS judges it by
                                 s3:GetObject (and has no action of that name)
"""
import json
import sys

import boto3
from botocore.config import Config


def public_read_policy(bucket, prefix, head=False):
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PublicReadStatic",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/{prefix}/*",
        }],
    }
    if head:
        policy["Statement"].append(dict(policy["Statement"][0], Sid="MotoHead", Action="s3:HeadObject"))
    return policy


def main():
    endpoint, access_key, secret_key, command, *args = sys.argv[1:]
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, config=Config(s3={"addressing_style": "path"}))
    if command in ("public-read", "public-read-head"):
        bucket, prefix = args
        policy = public_read_policy(bucket, prefix, head=command == "public-read-head")
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        print("{}")
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
