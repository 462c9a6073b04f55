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

  it('answers the gateway planner’s INVALID_GRAPHQL (a literal in the operation) as BAD_USER_INPUT, quoting no value', () => {
    const arg = formatError({
      message:
        'Invalid value {latitude: Infinity, longitude: 0} for argument "Query.nearbyFacilities(near:)" of type PlaceInput!',
      locations: [{ line: 3, column: 40 }],
      extensions: { code: 'INVALID_GRAPHQL', requestId: 'r-1', stacktrace: ['at x'] },
    });
    expect(arg).toEqual({
      message:
        'Argument "Query.nearbyFacilities(near:)" has a value its type PlaceInput! cannot take; check the values written in the query (numbers must be finite)',
      locations: [{ line: 3, column: 40 }],
      extensions: { code: 'BAD_USER_INPUT', requestId: 'r-1' },
    });
    const named = formatError({
      message:
        'Invalid value for argument "near": Float cannot represent non numeric value Infinity.',
      extensions: { code: 'INVALID_GRAPHQL' },
    });
    expect(named).toEqual({
      message:
        'Argument "near" has a value its type cannot take; check the values written in the query (numbers must be finite)',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const int = formatError({
      message: 'Int cannot represent non 32-bit signed integer value 99999999999.',
      extensions: { code: 'INVALID_GRAPHQL' },
    });
    expect(int.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(int.message).not.toContain('99999999999');
    // A value that imitates the planner's text gains nothing: names only, else the fixed message.
    for (const message of [
      'Invalid value {family: "Canary"} for argument "x" of type Canary Name',
      'Field "mrn" is not defined by type "PatientInput".',
    ])
      expect(formatError({ message, extensions: { code: 'INVALID_GRAPHQL' } })).toEqual({
        message:
          'The operation has a value the schema cannot take; check the values written in the query',
        extensions: { code: 'BAD_USER_INPUT' },
      });
  });
});
