// For `vial leak`: the default export leaks (every call keeps a record in a module-level array);
// `tidy` does not.
//   vial leak examples/leaky.mjs                 -> LEAK (exit 1)
//   vial leak examples/leaky.mjs --export tidy   -> no leak (exit 0)
const history = [];

export default function recordRequest() {
  history.push({ path: '/api/items', at: Date.now(), tags: ['a', 'b'] });
}

export function tidy() {
  return [1, 2, 3].map((x) => x * 2).length;
}
