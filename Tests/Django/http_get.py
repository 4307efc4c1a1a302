"""Fetches one URL without decoding it and prints the response as JSON.

Usage:
  python http_get.py URL OUT_FILE [HEADER: VALUE]...
Writes the body, byte for byte as sent (no content decoding), to OUT_FILE and prints
{"status": 200, "headers": {"content-encoding": "br", ...}} on stdout.
"""

import json
import sys
import urllib.error
import urllib.request


def main(url, out_file, *headers):
    request = urllib.request.Request(url)
    for header in headers:
        name, _, value = header.partition(":")
        request.add_header(name.strip(), value.strip())
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    body = response.read()
    with open(out_file, "wb") as f:
        f.write(body)
    print(json.dumps({"status": response.status, "headers": {k.lower(): v for k, v in response.headers.items()}}))


if __name__ == "__main__":
    main(*sys.argv[1:])
