/**
 * A Vega-Lite spec to an SVG string, rendered in Node by the same Vega
 * runtime the report inlines: for notebooks and anything else that wants a
 * static picture (tslab shows it with `display.html`).
 */
import type { TopLevelSpec } from 'vega-lite';

export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: vega's Node build awaits at top level (an optional
  // canvas), which would keep require() (tslab's kernel) from loading this package.
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
