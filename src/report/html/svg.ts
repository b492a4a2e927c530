/**
 * A Vega-Lite spec to an SVG string, rendered in Node by the same Vega
 * runtime the report inlines: for notebooks and anything else that wants a
 * static picture (tslab shows it with `display.html`).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
