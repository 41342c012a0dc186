// Pingyi service worker: after one load over https (or localhost) the app opens and works with
// the network off. Cache-first, one cache per build; scripts/post_build.py (a trunk
// post-build hook) fills in the build's version and every file of dist/ except the QR scanner
// worker, which tablets never need: the host laptop asks for it ("keep-scanner") and it is kept.
const VERSION = "__PINGYI_VERSION__";
const ASSETS = __PINGYI_ASSETS__;
const SCANNER = __PINGYI_SCANNER__;
const CACHE = "pingyi-" + VERSION;

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

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("pingyi-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The host laptop asks for the scanner worker to be kept, so scanning works offline too.
self.addEventListener("message", (event) => {
  if (event.data === "keep-scanner") {
    event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SCANNER)));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
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
