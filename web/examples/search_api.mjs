// The tutorials' parallel-search API: GET /search?q=... asks every engine
// at once (gather), gives each a deadline (waitFor), and answers with what
// came in time. The engines here are upstream HTTP services (base URLs).
//   node web/examples/search_api.mjs UPSTREAM_BASE_URL [port]
import { run, gather, waitFor, createTask, TimeoutError, ClientSession, WebApp, HttpError } from '../../bindings/index.js';

/**
 * @param {{ engines: Record<string, string>, perEngineMs?: number }} options
 *   engines: name -> URL of the engine's search endpoint (gets ?q=)
 */
export function searchApp({ engines, perEngineMs = 500 }) {
  const app = new WebApp();
  const session = new ClientSession({ limitPerHost: 10 });
  app.get('/search', function* (req) {
    const q = req.query.get('q');
    if (!q) throw new HttpError(400, 'missing ?q=');
    const ask = function* (name, url) {
      try {
        const r = yield waitFor(session.get(url, { params: { q } }), perEngineMs);
        const body = yield r.json();
        return { engine: name, ok: true, query: body.query?.q ?? q };
      } catch (e) {
        return { engine: name, ok: false, error: e instanceof TimeoutError ? 'timeout' : String(e.message ?? e) };
      }
    };
    const results = yield gather(...Object.entries(engines).map(([name, url]) => createTask(ask(name, url))));
    return { query: q, results };
  });
  app.close = () => session.close();
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const base = process.argv[2];
  await run(async () => {
    const app = searchApp({ engines: { fast: `${base}get`, slow: `${base}delay/2000` } });
    const server = await app.listen({ port: Number(process.argv[3] ?? 8081) });
    console.log(`listening on ${server.url}`);
    await new Promise((resolve) => process.once('SIGINT', resolve));
    await server.close({ deadline: 2000 });
    app.close();
  });
}
