import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectedFieldNames, selectsField } from './selection.js';

const schema = buildSchema(/* GraphQL */ `
  type Team {
    who: String
  }
  type Person {
    id: ID
    name: String
    team: Team
  }
  type Edge {
    node: Person
  }
  type Page {
    edges: [Edge]
  }
  type Query {
    person: Person
    people: Page
  }
`);

/** The resolve info of the root field `field`, for `source` with `variables`. */
async function infoOf(
  field: 'person' | 'people',
  source: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResolveInfo> {
  let seen: GraphQLResolveInfo | undefined;
  const result = await graphql({
    schema,
    source,
    variableValues: variables,
    fieldResolver: (_source, _args, _ctx, info) => {
      if (info.fieldName === field) seen = info;
      return null;
    },
  });
  expect(result.errors).toBeUndefined();
  return seen!;
}

describe('selectedFieldNames', () => {
  it('collects names at any depth, through fragments and inline fragments', async () => {
    const info = await infoOf(
      'person',
      '{ person { id ...f ... on Person { team { who } } } } fragment f on Person { name }',
    );
    expect([...selectedFieldNames(info)].sort()).toEqual(['id', 'name', 'team', 'who']);
  });
});

describe('selectsField', () => {
  it('finds a field on the returned object and on a connection’s nodes', async () => {
    expect(selectsField(await infoOf('person', '{ person { team { who } } }'), [], 'team')).toBe(
      true,
    );
    expect(selectsField(await infoOf('person', '{ person { name } }'), [], 'team')).toBe(false);
    const page = await infoOf(
      'people',
      '{ people { edges { node { ...f } } } } fragment f on Person { team { who } }',
    );
    expect(selectsField(page, ['edges', 'node'], 'team')).toBe(true);
    expect(selectsField(page, [], 'team')).toBe(false);
  });

  it('evaluates @skip and @include with the variables', async () => {
    const q = 'query ($s: Boolean!) { person { id team @skip(if: $s) { who } } }';
    expect(selectsField(await infoOf('person', q, { s: false }), [], 'team')).toBe(true);
    expect(selectsField(await infoOf('person', q, { s: true }), [], 'team')).toBe(false);
    const f = 'query ($i: Boolean!) { person { ... on Person @include(if: $i) { team { who } } } }';
    expect(selectsField(await infoOf('person', f, { i: true }), [], 'team')).toBe(true);
    expect(selectsField(await infoOf('person', f, { i: false }), [], 'team')).toBe(false);
  });
});
