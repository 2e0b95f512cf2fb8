// Preloaded (node --import) by the README doc tests: requests the examples
// make to https://httpbin.org/ go to the local httpbin of web/endpoints.mjs
// (WASYNCIO_DOCTEST_HTTPBIN), as the tests reach no other host. Its /delay
// takes milliseconds where httpbin's takes seconds.
const local = process.env.WASYNCIO_DOCTEST_HTTPBIN;
const hostFetch = globalThis.fetch;
globalThis.fetch = function fetch(input, init) {
  const url = input instanceof Request ? input.url : String(input);
  if (local && url.startsWith('https://httpbin.org/')) {
    const path = url.slice('https://httpbin.org/'.length)
      .replace(/^delay\/(\d+(?:\.\d+)?)/, (_, s) => `delay/${Math.round(Number(s) * 1000)}`);
    return hostFetch.call(this, new URL(path, local), init);
  }
  return hostFetch.call(this, input, init);
};
