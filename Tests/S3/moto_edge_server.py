"""moto_server.py with anonymous reads, for the tests of serving a bucket behind an edge (nginx).

Everything moto_server.py does (signature checking on for signed requests, the request log,
injected faults), plus: an unsigned GET or HEAD of an object is judged the way S3 judges an
anonymous request, by the bucket's policy (or the object's ACL) alone (only a plain object read:
listings and sub-resources still need a signature). moto 5.2.1 with signature
checking on answers such a request with 500 (its IAM check reads the missing Authorization
header, KeyError); its own anonymous-access check in `_key_response` (bucket policy, then ACL:
403 unless a policy allows it) runs before that and stays in force, so a private bucket still
answers 403 to anonymous readers.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import moto_server  # noqa: E402  (sets INITIAL_NO_AUTH_ACTION_COUNT before moto is imported)
from moto import settings  # noqa: E402
from moto.core.authorization import ActionAuthenticatorMixin  # noqa: E402

signed_check = ActionAuthenticatorMixin._authenticate_and_authorize_action


def anonymous_reads(self, iam_request_cls, resource="*"):
    if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
        return signed_check(self, iam_request_cls, resource)  # the bootstrap requests
    anonymous = "Authorization" not in self.headers and "X-Amz-Signature" not in (self.uri or "")
    an_object = "/" in resource.split(":::", 1)[-1] and "?" not in (self.uri or "")
    if anonymous and an_object and self.method in ("GET", "HEAD"):
        return  # moto's bucket-policy/ACL check for anonymous requests already ran
    return signed_check(self, iam_request_cls, resource)


ActionAuthenticatorMixin._authenticate_and_authorize_action = anonymous_reads

if __name__ == "__main__":
    moto_server.main()
