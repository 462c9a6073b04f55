import { describe, expect, it } from 'vitest';
import { formatError } from './format.js';

describe('formatError', () => {
  it('strips submitted values from graphql-js coercion messages', () => {
    const out = formatError({
      message:
        'Variable "$input" got invalid value "Canary" at "input.gender"; Value "Canary" does not exist in "Gender" enum.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(out.message).not.toContain('Canary');
    expect(out.message).toContain('Variable "$input" has an invalid value');
  });

  it('flattens validation errors to paths and rule names, and stays the same when applied twice', () => {
    const once = formatError({
      message: 'Argument Validation Error',
      extensions: {
        code: 'BAD_USER_INPUT',
        validationErrors: [
          {
            property: 'input',
            value: { mrn: 'x' },
            constraints: {},
            children: [
              {
                property: 'name',
                children: [
                  {
                    property: 'family',
                    value: 'Canary',
                    constraints: { isLength: 'family must be shorter than 100' },
                  },
                ],
              },
            ],
          },
          {
            property: 'birthDate',
            value: '2999-01-01',
            constraints: { isPastIsoDate: 'must be a real date' },
          },
        ],
      },
    });
    const expected = [
      { property: 'input.name.family', constraints: ['isLength'] },
      { property: 'birthDate', constraints: ['isPastIsoDate'] },
    ];
    expect(once.extensions?.validationErrors).toEqual(expected);
    expect(formatError(once).extensions?.validationErrors).toEqual(expected);
    expect(JSON.stringify(once)).not.toContain('Canary');
  });

  it('masks errors without a known code and drops stacks', () => {
    const out = formatError({
      message: 'relation "patient.x" does not exist',
      extensions: { stacktrace: ['at x'] },
    });
    expect(out).toEqual({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });
});
