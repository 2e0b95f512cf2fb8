// The tutorials' "Hello, {name}" server (aiohttp.web) on wasyncio:
//   node web/examples/hello_server.mjs [port]     then: curl localhost:8080/hello/Ann
import { run, sleep, WebApp } from '../../bindings/index.js';

/** The app: GET / and GET /hello/{name}. */
export function helloApp() {
  const app = new WebApp();
  app.get('/', () => 'Hello, world');
  app.get('/hello/{name}', function* (req) {
    yield sleep(1); // a handler is a task: it may await anything
    return `Hello, ${req.params.name}`;
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run(async () => {
    const server = await helloApp().listen({ port: Number(process.argv[2] ?? 8080) });
    console.log(`listening on ${server.url}`);
    await new Promise((resolve) => process.once('SIGINT', resolve));
    await server.close({ deadline: 2000 });
  });
}
