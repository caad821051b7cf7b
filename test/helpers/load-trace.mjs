// Preload for start-up tests (`node --import ./load-trace.mjs bin/kolega ...`): appends every
// resolved module URL, then at exit Node's list of loaded built-in modules, to the file named by
// KOLEGA_LOAD_TRACE, one per line. Resolve hooks run on the loader thread, hence the file.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

const out = process.env.KOLEGA_LOAD_TRACE;
if (out) {
  const hook = `
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const r = await next(specifier, context);
      appendFileSync(${JSON.stringify(out)}, 'url ' + r.url + '\\n');
      return r;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  process.on('exit', () => {
    appendFileSync(out, process.moduleLoadList.map((m) => `builtin ${m}\n`).join(''));
  });
}
