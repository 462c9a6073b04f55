/** Where the page's files are served from. */
export const ASSET_PATH = '/explorer/assets';

/**
 * The explorer page's policy: scripts, styles and fetches from this origin
 * only, no inline script or style, no framing. GraphiQL's fonts are inlined
 * in its stylesheet as data: URIs.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The HTML page that mounts GraphiQL (from `explorer.js`) against `endpoint`. */
export function explorerPage(endpoint: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Carefed API explorer</title>
    <link rel="stylesheet" href="${ASSET_PATH}/graphiql.min.css" />
    <link rel="stylesheet" href="${ASSET_PATH}/explorer.css" />
  </head>
  <body>
    <div id="explorer" data-endpoint="${escapeAttribute(endpoint)}">
      <noscript>The API explorer needs JavaScript.</noscript>
    </div>
    <script src="${ASSET_PATH}/react.production.min.js"></script>
    <script src="${ASSET_PATH}/react-dom.production.min.js"></script>
    <script src="${ASSET_PATH}/graphiql.min.js"></script>
    <script src="${ASSET_PATH}/explorer.js"></script>
  </body>
</html>
`;
}
