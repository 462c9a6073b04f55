import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  collectPages,
  decodeIdKeyset,
  decodeKeyset,
  decodeSeqKeyset,
  keysetCursor,
  windowedPage,
  type WindowSpec,
} from './keyset.js';

const AT = '2026-12-01T10:00:00.123456Z';
const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const badAfter = { extensions: { code: 'BAD_USER_INPUT', field: 'after' } };

describe('keyset cursors', () => {
  it('round-trips each key shape within its own list', () => {
    const id = randomUUID();
    expect(decodeKeyset('payment', keysetCursor('payment', AT, id))).toEqual({ at: AT, id });
    expect(decodeSeqKeyset('access-log', keysetCursor('access-log', 42))).toBe(42);
    expect(decodeIdKeyset('patient', keysetCursor('patient', id))).toBe(id);
    expect(decodeKeyset('payment', null)).toBeNull();
  });

  it('refuses a cursor of another list, a forged key or garbage, before any SQL', () => {
    const id = randomUUID();
    for (const bad of [
      keysetCursor('claim', AT, id),
      forged(['payment', '2026-12-01T10:00:00.123Z', id]),
      forged(['payment', '2026-02-30T10:00:00.000000Z', id]),
      forged(['payment', AT, "' OR 1=1 --"]),
      forged([AT, id]),
      'garbage',
    ])
      expect(() => decodeKeyset('payment', bad)).toThrow(expect.objectContaining(badAfter));
    expect(() => decodeSeqKeyset('access-log', forged(['access-log', '7']))).toThrow(
      expect.objectContaining(badAfter),
    );
    expect(() => decodeIdKeyset('patient', keysetCursor('access-log', id))).toThrow(
      expect.objectContaining(badAfter),
    );
  });
});

describe('windowed pages', () => {
  const spec: WindowSpec = {
    kind: 'payment',
    from: 'billing.payment q',
    owner: 'q.patient_id',
    at: 'q.created_at',
    id: 'q.id',
    order: 'desc',
    select: 'q.*',
    filters: [{ sql: 'q.currency = ?', params: ['USD'] }],
  };

  it('pages every owner in one statement, after the cursor, one row more than the page', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const after = randomUUID();
    const q = windowedPage(spec, [a, b], 2, keysetCursor('payment', AT, after));
    expect(q.sql).toContain('PARTITION BY q.patient_id ORDER BY q.created_at DESC, q.id DESC');
    expect(q.sql).toContain('(q.created_at, q.id) < (?::timestamptz, ?::uuid)');
    expect(q.params).toEqual([JSON.stringify([a, b]), 'USD', AT, after]);
    expect(q.limit).toBe(3);
    expect(() => windowedPage(spec, [a], 0, null)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ field: 'first' }) }),
    );
    expect(() => windowedPage(spec, ['nope'], 2, null)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });

  it('collects each owner’s page, with a cursor per row and hasNextPage from the extra row', () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const row = (owner: string, n: number) => ({ owner, id: randomUUID(), sort_key: AT, n });
    const rows = [row(a, 1), row(a, 2), row(a, 3), row(b, 1)];
    const pages = collectPages(
      spec,
      { size: 2 },
      [a, b, c],
      rows,
      (r) => r.owner,
      (r) => r.id,
      (r) => r.n,
    );
    expect(pages.get(a)?.edges.map((e) => e.node)).toEqual([1, 2]);
    expect(pages.get(a)?.hasNextPage).toBe(true);
    expect(decodeKeyset('payment', pages.get(a)!.edges[1]!.cursor)).toEqual({
      at: AT,
      id: rows[1]!.id,
    });
    expect(pages.get(b)).toMatchObject({ hasNextPage: false, edges: [{ node: 1 }] });
    expect(pages.get(c)).toEqual({ edges: [], hasNextPage: false });
  });
});
