import { describe, expect, it } from 'vitest';
import { formatError } from './format.js';
import { transientFault } from './transient.js';

describe('transientFault (#27)', () => {
  it('#27 calls pool, timeout, connection and shutdown faults retryable, and nothing else', () => {
    const pool = Object.assign(
      new Error('Knex: Timeout acquiring a connection. The pool is probably full.'),
      { name: 'KnexTimeoutError' },
    );
    const transient = [
      pool,
      { code: '57014', message: 'canceling statement due to statement timeout' },
      { code: '55P03', message: 'canceling statement due to lock timeout' },
      { code: '53300', message: 'sorry, too many clients already' },
      { code: '57P01', message: 'terminating connection due to administrator command' },
      { code: 'ECONNREFUSED' },
      new Error('Connection terminated unexpectedly'),
      { name: 'DriverException', cause: pool },
    ];
    for (const err of transient)
      expect(transientFault(err)?.extensions, JSON.stringify(err)).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        retryable: true,
        retryAfterSeconds: 1,
      });
    for (const err of [new TypeError('x is undefined'), { code: '23505' }, { code: '42P01' }, null])
      expect(transientFault(err)).toBeUndefined();
  });

  it('#27 formatError turns a transient cause into SERVICE_UNAVAILABLE, other faults stay masked', () => {
    const formatted = { message: 'Knex: Timeout acquiring a connection', extensions: {} };
    const pool = { name: 'KnexTimeoutError', message: formatted.message };
    expect(formatError(formatted, pool).extensions).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
    });
    expect(formatError(formatted, new Error('boom'))).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });
});
