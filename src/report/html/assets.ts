/**
 * The page's static parts, read from disk once per process: the bundled chart library (uPlot's minified
 * browser build and stylesheet, from node_modules) and this folder's page script and stylesheet.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface PageAssets {
  chartLibrary: string;
  chartStyles: string;
  pageScript: string;
  pageStyles: string;
  /** The sweep report's page script. */
  sweepScript: string;
}

let cached: PageAssets | undefined;

/** Reads the assets (cached after the first call). Throws naming the file when one is missing. */
export function pageAssets(): PageAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`HTML report asset missing: ${path}`, { cause: err });
    }
  };
  cached = {
    chartLibrary: read(require.resolve('uplot/dist/uPlot.iife.min.js')),
    chartStyles: read(require.resolve('uplot/dist/uPlot.min.css')),
    pageScript: read(fileURLToPath(new URL('./page/report-page.js', import.meta.url))),
    pageStyles: read(fileURLToPath(new URL('./page/report-page.css', import.meta.url))),
    sweepScript: read(fileURLToPath(new URL('./page/sweep-page.js', import.meta.url))),
  };
  return cached;
}
