// Vite, as an app would configure it: nothing for wasyncio. The proxy only
// gives the dev server the test endpoint the fetch check uses.
export default {
  logLevel: 'warn',
  server: { proxy: process.env.FIXTURE_HTTPBIN ? { '/json': process.env.FIXTURE_HTTPBIN } : {} },
};
