#!/usr/bin/env python3
"""Verify a Pingyi result file's signatures with stock tools only.
Needs: pip install rfc8785 cryptography   Usage: python3 verify_result.py result.json"""
import base64, json, sys
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# Small-order Ed25519 keys (as in verify_record.py): refused, as `pingyi verify` refuses them.
SMALL_ORDER_KEYS = {bytes.fromhex(h) for h in [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000080",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
]}

def check(public_key_b64, signature_b64, obj):
    raw = base64.b64decode(public_key_b64)
    if raw in SMALL_ORDER_KEYS:
        sys.exit("INVALID key: small order")
    key = Ed25519PublicKey.from_public_bytes(raw)
    key.verify(base64.b64decode(signature_b64), rfc8785.dumps(obj))  # raises if wrong

doc = json.load(open(sys.argv[1], encoding="utf-8"))
assert doc["format"] == "pingyi-result" and doc["version"] == 1 and doc["signature"]["alg"] == "Ed25519"
try:
    check(doc["signature"]["public_key"], doc["signature"]["value"], doc["payload"])
    for b in doc["payload"]["accepted"]:  # each ballot: signed over all its fields but "signature"
        check(b["device"], b["signature"], {k: v for k, v in b.items() if k != "signature"})
except InvalidSignature:
    sys.exit("INVALID signature")
print("host signature and %d ballot signatures OK" % len(doc["payload"]["accepted"]))
