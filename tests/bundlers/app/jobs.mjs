// A worker-pool job module.
export function add(a, b) {
  return a + b;
}
