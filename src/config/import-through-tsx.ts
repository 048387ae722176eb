/**
 * `import()` from a module that tsx itself loaded. import-user-module.ts imports this file only
 * after registering tsx, and never statically: tsx decides how a `.ts` file outside any
 * `"type": "module"` package loads (a transformers module in /tmp, say) by who imports it, and
 * from a module it did not load it makes the file CommonJS, whose `export default` then arrives
 * wrapped, or fails with ERR_REQUIRE_CYCLE_MODULE when it imports an ES module.
 */
export function importThroughTsx(url: string): Promise<unknown> {
  return import(url);
}
