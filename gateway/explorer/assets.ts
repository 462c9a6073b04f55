import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the explorer page loads, and where it lives on disk. */
export interface ExplorerAsset {
  file: string;
  type: string;
}

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = (name: string): string => path.dirname(require.resolve(`${name}/package.json`));

/**
 * Every file served under `/explorer/assets/`, by name: GraphiQL's UMD bundle
 * and React 18's UMD builds from node_modules (no CDN: the machine may be
 * offline), and the page's own script and styles. Nothing else is reachable,
 * so node_modules is never browsable.
 */
export function explorerAssets(): ReadonlyMap<string, ExplorerAsset> {
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  return new Map([
    [
      'react.production.min.js',
      { file: path.join(packageDir('react'), 'umd/react.production.min.js'), type: js },
    ],
    [
      'react-dom.production.min.js',
      { file: path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'), type: js },
    ],
    ['graphiql.min.js', { file: path.join(packageDir('graphiql'), 'graphiql.min.js'), type: js }],
    [
      'graphiql.min.css',
      { file: path.join(packageDir('graphiql'), 'graphiql.min.css'), type: css },
    ],
    ['explorer.js', { file: path.join(here, 'explorer.js'), type: js }],
    ['explorer.css', { file: path.join(here, 'explorer.css'), type: css }],
  ]);
}
