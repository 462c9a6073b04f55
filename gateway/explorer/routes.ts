import type { Express, Response } from 'express';
import { explorerAssets } from './assets.js';
import { ASSET_PATH, EXPLORER_CSP, explorerPage } from './page.js';

/** Where the explorer page is served. */
export const EXPLORER_PATH = '/explorer';

function hardenHeaders(res: Response): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

/**
 * Mounts the API explorer: GraphiQL at `/explorer` (and `/` redirecting to
 * it) querying `endpoint`, with its files under `/explorer/assets/`.
 * Development only: the caller does not mount it in production.
 */
export function mountExplorer(app: Express, opts: { endpoint: string }): void {
  const assets = explorerAssets();
  const page = explorerPage(opts.endpoint);
  app.get('/', (_req, res) => void res.redirect(302, EXPLORER_PATH));
  app.get(EXPLORER_PATH, (_req, res) => {
    hardenHeaders(res);
    res.setHeader('content-security-policy', EXPLORER_CSP);
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(page);
  });
  app.get(`${ASSET_PATH}/:name`, (req, res) => {
    const asset = assets.get(req.params.name);
    if (!asset) return void res.status(404).type('text').send('Not found');
    hardenHeaders(res);
    res.sendFile(
      asset.file,
      { headers: { 'content-type': asset.type, 'cache-control': 'no-cache' } },
      (err) => {
        if (err && !res.headersSent) res.status(404).type('text').send('Not found');
      },
    );
  });
}
