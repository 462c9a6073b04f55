import type { ErrorRequestHandler } from 'express';

/** The code of a request refused for its body's size. */
export const PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE';

/** What body-parser attaches to the errors it raises. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
  limit?: unknown;
}

const REASONS: Record<
  string,
  { status: number; code: string; message: (e: BodyParserError) => string }
> = {
  'entity.too.large': {
    status: 413,
    code: PAYLOAD_TOO_LARGE,
    message: (e) =>
      typeof e.limit === 'number'
        ? `Request body is larger than ${e.limit} bytes`
        : 'Request body is too large',
  },
  'entity.parse.failed': {
    status: 400,
    code: 'BAD_REQUEST',
    message: () => 'Request body is not valid JSON',
  },
  'charset.unsupported': {
    status: 415,
    code: 'BAD_REQUEST',
    message: () => 'Unsupported charset: send UTF-8',
  },
  'encoding.unsupported': {
    status: 415,
    code: 'BAD_REQUEST',
    message: () => 'Unsupported content encoding',
  },
};

/**
 * Answers the body parser's refusals (too large, not JSON, unsupported
 * charset or encoding) as GraphQL errors with their HTTP status, instead of
 * Express's HTML error page. Mounted right after the body parser; other
 * errors go on to the next handler. The body itself is never echoed.
 */
export const bodyErrors: ErrorRequestHandler = (err, req, res, next) => {
  const type = (err as BodyParserError | undefined)?.type;
  const reason = typeof type === 'string' ? REASONS[type] : undefined;
  if (!reason) return next(err);
  const graphqlResponse = (req.header('accept') ?? '').includes(
    'application/graphql-response+json',
  );
  res
    .status(reason.status)
    .type(graphqlResponse ? 'application/graphql-response+json' : 'application/json')
    .send(
      JSON.stringify({
        errors: [
          { message: reason.message(err as BodyParserError), extensions: { code: reason.code } },
        ],
      }),
    );
};
