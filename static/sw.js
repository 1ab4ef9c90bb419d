// kubeplay's service worker: once the page has been loaded, it keeps working offline.
//
// index.html registers it (relative URL, after start-up, never in embed mode), so its scope is the
// directory of index.html, whatever sub-path of a static host that is. Trunk copies this file into
// dist/; the post_build hook scripts/sw-precache.sh then replaces VERSION and PRECACHE below with a
// hash of the build's files and their list, so a new deploy installs into a new cache and the
// previous one is deleted when it activates.
//
//   - the build's hashed files (Trunk's `name-<16 hex>.js|.wasm|.css|.svg`, immutable): cache first;
//   - the page (a navigation to the scope or to index.html, with any query or fragment:
//     `?lesson=…`, `?presenter=1`, share links): network first, so a new deploy is seen online, and
//     the cached index.html offline;
//   - other GETs under the scope (explain.json, the favicon, files fetched later): network first,
//     successful answers stored, the cache offline.
// Requests that are not GET, or outside the scope (other origins, other paths), are left alone.

const VERSION = 'unbuilt'; // replaced by scripts/sw-precache.sh
const PRECACHE = []; // replaced by scripts/sw-precache.sh: paths relative to this file

const SCOPE = new URL(self.registration.scope);
// Cache names carry the scope: two deploys on one origin (say /kubeplay/ and /staging/) keep theirs.
const PREFIX = `kubeplay:${SCOPE.pathname}:`;
const CACHE = PREFIX + VERSION;
const INDEX = new URL('index.html', SCOPE).href;
const HASHED = /-[0-9a-f]{16}(?:_bg)?\.[A-Za-z0-9]+$/;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(PRECACHE.map(async (path) => {
      const url = new URL(path, SCOPE).href;
      const hashed = HASHED.test(new URL(url).pathname);
      if (hashed) {
        // The same name is the same bytes: reuse the previous deploy's copy instead of downloading.
        const kept = await caches.match(url);
        if (kept) return cache.put(url, kept);
      }
      // Unhashed files (index.html, explain.json) are revalidated so a stale HTTP cache cannot pair
      // an old index.html with this build's files.
      const response = await fetch(url, { cache: hashed ? 'default' : 'no-cache' });
      if (!response.ok) throw new Error(`precache ${url}: HTTP ${response.status}`);
      return cache.put(url, response);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || request.headers.has('range')) return;
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  if (url.pathname === SCOPE.pathname || url.href.split(/[?#]/)[0] === INDEX) {
    event.respondWith(page(event));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(event));
  } else {
    event.respondWith(networkFirst(event));
  }
});

/** Worth keeping: a whole, same-origin, successful answer that was not redirected. */
function storable(response) {
  return response.ok && response.status === 200 && response.type === 'basic' && !response.redirected;
}

async function page(event) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(event.request);
    if (storable(response)) event.waitUntil(cache.put(INDEX, response.clone()));
    return response;
  } catch (offline) {
    const kept = (await cache.match(INDEX)) ?? (await caches.match(INDEX));
    if (kept) return kept;
    throw offline;
  }
}

async function cacheFirst(event) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(event.request);
  if (kept) return kept;
  const response = await fetch(event.request);
  if (storable(response)) event.waitUntil(cache.put(event.request, response.clone()));
  return response;
}

async function networkFirst(event) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(event.request);
    if (storable(response)) event.waitUntil(cache.put(event.request, response.clone()));
    return response;
  } catch (offline) {
    const kept = await cache.match(event.request, { ignoreSearch: event.request.mode === 'navigate' });
    if (kept) return kept;
    throw offline;
  }
}
