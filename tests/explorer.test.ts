import fs from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPLORER_CSP } from '../gateway/explorer/page.js';
import { startTestStack, type TestStack } from './support/stack.js';

/** The API explorer: GraphiQL from node_modules, in development only, tried in a real browser. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.resolve('.data', 'screenshots', 'explorer.png');
const ASSETS = [
  'react.production.min.js',
  'react-dom.production.min.js',
  'graphiql.min.js',
  'graphiql.min.css',
  'explorer.js',
  'explorer.css',
];

describe('API explorer in development', () => {
  let t: TestStack;
  let origin: string;
  beforeAll(async () => {
    t = await startTestStack('explorer');
    origin = new URL(t.stack.gatewayUrl).origin;
  });
  afterAll(() => t?.stop());

  it('serves the page under a strict Content-Security-Policy, and / leads to it', async () => {
    const page = await fetch(`${origin}/explorer`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(EXPLORER_CSP);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<script(?![^>]*\ssrc=)[^>]*>|https?:\/\//);
    for (const name of ASSETS) expect(html).toContain(`/explorer/assets/${name}`);

    const root = await fetch(`${origin}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/explorer');
  });

  it('serves its own files and nothing else from node_modules', async () => {
    for (const name of ASSETS) {
      const res = await fetch(`${origin}/explorer/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toMatch(
        name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      await res.arrayBuffer();
    }
    for (const probe of [
      '/explorer/assets/',
      '/explorer/assets/package.json',
      '/explorer/assets/graphiql.min.js.map',
      '/explorer/assets/..%2F..%2Fpackage.json',
      '/explorer/assets/%2e%2e%2fpackage.json',
      '/explorer/assets/react.development.js',
      '/node_modules/graphiql/graphiql.min.js',
      '/node_modules/',
    ]) {
      const res = await fetch(`${origin}${probe}`);
      expect(res.status, probe).toBe(404);
      expect(res.headers.get('content-type'), probe).not.toMatch(/javascript|css|json/);
      expect(await res.text(), probe).not.toMatch(/webpackBootstrap|"version"|Index of/);
    }
  });

  it("does not serve Apollo's CDN-loaded landing page", async () => {
    const res = await fetch(t.stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-type') ?? '').not.toMatch(/html/);
    expect(await res.text()).not.toMatch(/apollographql\.com|embeddable|landing/i);
  });

  describe.skipIf(!fs.existsSync(CHROMIUM))('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });
    afterAll(() => browser?.close());

    it('runs a query with a pasted token and shows its result, all from localhost', async () => {
      const token = await t.token('admin');
      const subject = decodeJwt(token).sub;
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const requests: string[] = [];
      const cspReports: string[] = [];
      const pageErrors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (/Content.Security.Policy/i.test(m.text())) cspReports.push(m.text());
      });
      // Runs in the page (Node has no DOM types): report every CSP violation to the console.
      await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) =>
        console.error('Content-Security-Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));`);

      await page.goto(`${origin}/`);
      expect(new URL(page.url()).pathname).toBe('/explorer');
      const editor = page.locator('.graphiql-query-editor .CodeMirror');
      await editor.waitFor();

      await page.fill('#explorer-token-input', `Bearer ${token}`);
      await expect
        .poll(() => page.locator('.explorer-token-status').innerText())
        .toMatch(/^Token set \(roles admin; expires /);
      // With the token, GraphiQL fetches the schema: the docs know the `me` field.
      await page
        .locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]')
        .click();
      await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).click();
      await page
        .locator('.graphiql-doc-explorer')
        .getByText('me', { exact: true })
        .first()
        .waitFor();

      await editor.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await page.keyboard.type('{ me { subject roles } }');
      await page.keyboard.press('Escape');
      await page.locator('button.graphiql-execute-button').click();

      const result = page.locator('.graphiql-response .result-window');
      await expect.poll(() => result.innerText(), { timeout: 10_000 }).toContain(`"${subject}"`);
      const shown = await result.innerText();
      expect(shown).toContain('"subject"');
      expect(shown).toContain('"admin"');
      expect(JSON.parse(shown.replace(/\u00a0/g, ' '))).toEqual({
        data: { me: { subject, roles: ['admin'] } },
      });

      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      await context.close();

      expect(pageErrors).toEqual([]);
      expect(cspReports).toEqual([]);
      const elsewhere = requests.filter(
        (u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'),
      );
      expect(elsewhere).toEqual([]);
      expect(requests).toContain(`${origin}/explorer/assets/graphiql.min.js`);
      expect(requests).toContain(`${origin}/graphql`);
    });
  });
});

describe('API explorer in production', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack('explorer-prod', { CAREFED_PRODUCTION: '1' });
  });
  afterAll(() => t?.stop());

  it('is not there: /explorer, its files and / are 404', async () => {
    const origin = new URL(t.stack.gatewayUrl).origin;
    for (const p of ['/explorer', '/explorer/assets/graphiql.min.js', '/']) {
      const res = await fetch(`${origin}${p}`, { redirect: 'manual' });
      expect(res.status, p).toBe(404);
      expect(res.headers.get('content-type'), p).not.toMatch(/javascript/);
      expect(await res.text(), p).not.toMatch(/webpackBootstrap|GraphiQL\.createFetcher|<script/);
    }
    const landing = await fetch(t.stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(await landing.text()).not.toMatch(/apollographql\.com|embeddable|landing/i);
  });
});
