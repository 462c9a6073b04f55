import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.js';

function capture() {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (c: Buffer) => (text += c.toString()));
  return { log: createLogger({ name: 'svc', destination: sink }), text: () => text };
}

describe('log redaction', () => {
  it('redacts PHI keys at any depth, keeps ids, codes and the logger name', async () => {
    const { log, text } = capture();
    log.info(
      {
        requestId: 'r-1',
        refusal: 'expired',
        patient: {
          name: { family: 'Canaryson' },
          birthDate: '1970-01-01',
          address: ['1 Canary Way'],
        },
        variables: { mrn: 'MRN-CANARY' },
        authorization: 'Bearer abc.def.ghi',
      },
      'something happened',
    );
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(text()) as Record<string, unknown>;
    expect(line.name).toBe('svc');
    expect(line.requestId).toBe('r-1');
    expect(line.refusal).toBe('expired');
    for (const secret of ['Canaryson', '1970-01-01', 'Canary Way', 'MRN-CANARY', 'abc.def.ghi'])
      expect(text()).not.toContain(secret);
  });
});
