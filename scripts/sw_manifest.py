#!/usr/bin/env python3
"""Trunk post-build hook: fills the staged service worker (sw.js) with this build's version and
the list of every file it must pre-cache (all but the host-only scanner worker), so each build gets its own cache and a new build is
picked up on the next load. Standard library only."""
import hashlib, json, os, sys

def main():
    staging = os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        sys.exit("sw_manifest.py runs as a trunk post_build hook (TRUNK_STAGING_DIR is not set)")
    sw = os.path.join(staging, "sw.js")
    assets, scanner, digest = ["./"], [], hashlib.sha256()
    for root, _, files in os.walk(staging):
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, staging).replace(os.sep, "/")
            if rel == "sw.js":
                continue
            # The scanner worker is not pre-cached: tablets never load it (the host page asks the
            # service worker to keep it).
            if rel.startswith("qr_worker"):
                scanner.append("./" + rel)
                continue
            assets.append("./" + rel)
            digest.update(rel.encode() + b"\0")
            with open(path, "rb") as f:
                digest.update(hashlib.sha256(f.read()).digest())
    text = open(sw, encoding="utf-8").read()
    if "__PINGYI_VERSION__" not in text:
        sys.exit("sw.js has no version placeholder (already filled?)")
    text = text.replace('"__PINGYI_VERSION__"', json.dumps(digest.hexdigest()[:16]))
    text = text.replace("__PINGYI_ASSETS__", json.dumps(sorted(assets)))
    text = text.replace("__PINGYI_SCANNER__", json.dumps(sorted(scanner)))
    open(sw, "w", encoding="utf-8").write(text)

if __name__ == "__main__":
    main()
