#!/usr/bin/env python3
"""Trunk post-build hook, standard library only.

1. Content-Security-Policy: writes a <meta> CSP into the staged index.html that allows nothing
   beyond the app's own origin — scripts only from it plus trunk's one inline loader, named by
   its SHA-256; WebAssembly compilation ('wasm-unsafe-eval'); no plugins, no forms posting out.
2. Service worker: fills the staged sw.js with this build's version and the list of every file
   it must pre-cache (all but the host-only scanner worker), so each build gets its own cache
   and a new build is picked up on the next load.
"""
import base64, hashlib, json, os, re, sys

CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {inline}; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; worker-src 'self'; connect-src 'self'; "
       "manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'")

def add_csp(staging):
    path = os.path.join(staging, "index.html")
    html = open(path, encoding="utf-8").read()
    if "Content-Security-Policy" in html:
        sys.exit("index.html already has a CSP")
    inline = re.findall(r"<script(?:\s[^>]*)?>(.*?)</script>", html, flags=re.S)
    hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in inline)
    meta = '<meta http-equiv="Content-Security-Policy" content="%s" />' % CSP.format(inline=hashes)
    marker = '<meta charset="utf-8" />'
    if marker not in html:
        sys.exit("index.html has no <meta charset> to put the CSP after")
    open(path, "w", encoding="utf-8").write(html.replace(marker, marker + "\n    " + meta, 1))

def main():
    staging = os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        sys.exit("post_build.py runs as a trunk post_build hook (TRUNK_STAGING_DIR is not set)")
    add_csp(staging)
    fill_service_worker(staging)

def fill_service_worker(staging):
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
