#!/usr/bin/env python3
"""Trunk post-build hook, standard library only. Runs for both builds (docs/builds.md): the
rater build (rater/index.html, built first into target/rater-dist/) and the host build
(index.html, into dist/).

1. Content-Security-Policy: writes a <meta> CSP into the staged index.html that allows nothing
   beyond the app's own origin — scripts only from it plus trunk's one inline loader, named by
   its SHA-256; WebAssembly compilation ('wasm-unsafe-eval'); no plugins, no forms posting out.
2. The host build takes the rater build in: target/rater-dist/ is copied to rater/ (the host
   build fails with a message if the rater build is missing).
3. Service worker: fills the staged sw.js with which build it is, this build's version and the
   list of every file it must pre-cache — for the host build everything but the scanner worker
   (kept on request) and the rater build under rater/ (which has its own worker) — so each build
   gets its own cache and a new build is picked up on the next load.
"""
import base64, hashlib, json, os, re, shutil, sys

CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {inline}; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; worker-src 'self'; connect-src 'self'; "
       "manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RATER_DIST = os.path.join(ROOT, "target", "rater-dist")

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

def which_build():
    html = os.environ.get("TRUNK_HTML_FILE", "")
    return "rater" if os.path.basename(os.path.dirname(os.path.abspath(html))) == "rater" else "host"

def take_in_rater_build(staging):
    if not os.path.isfile(os.path.join(RATER_DIST, "index.html")):
        sys.exit("the rater build is missing: build rater/index.html into target/rater-dist first "
                 "(scripts/lib.sh build_dist does both builds in order)")
    shutil.copytree(RATER_DIST, os.path.join(staging, "rater"))

def main():
    staging = os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        sys.exit("post_build.py runs as a trunk post_build hook (TRUNK_STAGING_DIR is not set)")
    build = which_build()
    add_csp(staging)
    if build == "host":
        take_in_rater_build(staging)
    fill_service_worker(staging, build)

def fill_service_worker(staging, build):
    sw = os.path.join(staging, "sw.js")
    assets, scanner, digest = ["./"], [], hashlib.sha256()
    for root, dirs, files in os.walk(staging):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, staging).replace(os.sep, "/")
            if rel == "sw.js" or rel.startswith("rater/"):
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
    text = text.replace('"__PINGYI_BUILD__"', json.dumps(build))
    text = text.replace('"__PINGYI_VERSION__"', json.dumps(digest.hexdigest()[:16]))
    text = text.replace("__PINGYI_ASSETS__", json.dumps(sorted(assets)))
    text = text.replace("__PINGYI_SCANNER__", json.dumps(sorted(scanner)))
    open(sw, "w", encoding="utf-8").write(text)

if __name__ == "__main__":
    main()
