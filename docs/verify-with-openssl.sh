#!/usr/bin/env bash
# Verify the host signature of a Pingyi result file with OpenSSL ≥ 3.0 (`pkeyutl -rawin`).
# The canonical (RFC 8785) bytes of "payload" come from the rfc8785 Python package.
# Usage: verify-with-openssl.sh result.json
set -euo pipefail
file="$1"; work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 - "$file" "$work" <<'PY'
import base64, json, sys, rfc8785
doc = json.load(open(sys.argv[1], encoding="utf-8")); out = sys.argv[2]
open(out + "/payload.jcs", "wb").write(rfc8785.dumps(doc["payload"]))
open(out + "/sig.bin", "wb").write(base64.b64decode(doc["signature"]["value"]))
# An Ed25519 public key as DER SubjectPublicKeyInfo: fixed 12-byte prefix + the 32 key bytes.
der = bytes.fromhex("302a300506032b6570032100") + base64.b64decode(doc["signature"]["public_key"])
open(out + "/key.der", "wb").write(der)
PY
openssl pkey -pubin -inform DER -in "$work/key.der" -out "$work/key.pem"
openssl pkeyutl -verify -pubin -inkey "$work/key.pem" -rawin -in "$work/payload.jcs" -sigfile "$work/sig.bin"
