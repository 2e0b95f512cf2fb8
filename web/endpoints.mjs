// Test endpoints served next to the demos (see server.mjs). httpbin-like
// endpoints for fetch tests, demos and benchmarks are added here.

/**
 * Handle req if it is a test endpoint.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} url
 * @returns {Promise<boolean>} true if handled
 */
export async function handleEndpoint(req, res, url) {
  if (url.pathname === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return true;
  }
  return false;
}
