// Pingyi service worker: after one load over https (or localhost) the app opens and works with
// the network off. Cache-first, one cache per build and per version; scripts/post_build.py (a
// trunk post-build hook) fills in which build this is ("host" or "rater"), the build's version
// and the files it pre-caches. Each build registers its own copy from its own folder, so the
// rater build (rater/, on the tablets) and the host build (the folder above it) are cached
// apart: a tablet never downloads the host's files (docs/builds.md).
//
// The host's copy leaves the QR scanner worker out until the laptop asks for it
// ("keep-scanner"), and never answers for anything under rater/.
const BUILD = "__PINGYI_BUILD__";
const VERSION = "__PINGYI_VERSION__";
const ASSETS = __PINGYI_ASSETS__;
const SCANNER = __PINGYI_SCANNER__;
const CACHE = "pingyi-" + BUILD + "-" + VERSION;
const RATER = new URL("rater/", self.registration.scope).pathname;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(ASSETS.map((asset) => new Request(asset, { cache: "reload" }))))
      // A new build takes over at once; the page already running keeps its loaded code, and
      // everything a meeting needs is in its storage, not in the cache.
      .then(() => self.skipWaiting()),
  );
});

// Earlier versions of this build go; so do the caches of builds from before the split
// ("pingyi-<version>"). The other build's caches stay.
function stale(key) {
  if (key === CACHE || !key.startsWith("pingyi-")) return false;
  const own = key.startsWith("pingyi-" + BUILD + "-");
  const split = key.startsWith("pingyi-host-") || key.startsWith("pingyi-rater-");
  return own || !split;
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter(stale).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The host laptop asks for the scanner worker to be kept, so scanning works offline too.
self.addEventListener("message", (event) => {
  if (event.data === "keep-scanner" && SCANNER.length > 0) {
    event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SCANNER)));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  // The host's worker leaves the rater build to its own worker (or the network).
  if (BUILD === "host" && url.pathname.startsWith(RATER)) {
    return;
  }
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const hit =
        (await cache.match(request, { ignoreSearch: true })) ||
        (request.mode === "navigate" ? await cache.match(new URL("./index.html", self.registration.scope)) : undefined);
      return hit || fetch(request);
    })(),
  );
});
