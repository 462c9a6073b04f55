// The API explorer: GraphiQL against the gateway, with a field for the bearer
// token. Loaded after the React, ReactDOM and GraphiQL UMD bundles, which
// define those globals; served as a file so the page's CSP needs no inline script.
/* global React, ReactDOM, GraphiQL */
(() => {
  'use strict';
  const h = React.createElement;
  const mount = document.getElementById('explorer');
  const endpoint = mount.dataset.endpoint;

  const DEFAULT_QUERY = `# Paste a token above (npm start prints one per role, or run
# npm run token -- --role <role>), write a query and press Ctrl-Enter.
{
  me {
    subject
    roles
    scopes
  }
}
`;

  /** The token as pasted, without a leading "Bearer " or surrounding space. */
  const clean = (value) => value.trim().replace(/^Bearer\s+/i, '');

  /** What the token says of itself (unverified: the gateway verifies it). */
  function describe(token) {
    if (!token) return 'No token: requests are sent without one and refused.';
    try {
      const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const claims = JSON.parse(atob(payload));
      const parts = [];
      if (Array.isArray(claims.roles)) parts.push(`roles ${claims.roles.join(', ')}`);
      if (typeof claims.exp === 'number') {
        const expires = new Date(claims.exp * 1000);
        parts.push(`${expires < new Date() ? 'expired' : 'expires'} ${expires.toLocaleString()}`);
      }
      return `Token set${parts.length ? ` (${parts.join('; ')})` : ''}.`;
    } catch {
      return 'This does not look like a JWT; it is sent as given.';
    }
  }

  function Explorer() {
    const tokenRef = React.useRef('');
    const [token, setToken] = React.useState('');
    // A new fetcher makes GraphiQL fetch the schema again, with the new token.
    const fetcher = React.useMemo(() => {
      const base = GraphiQL.createFetcher({ url: endpoint });
      return (params, opts) => {
        const auth = tokenRef.current ? { Authorization: `Bearer ${tokenRef.current}` } : {};
        // Headers typed in GraphiQL's own Headers tab win over the field.
        return base(params, { ...opts, headers: { ...auth, ...(opts && opts.headers) } });
      };
    }, [token]);

    const onChange = (event) => {
      tokenRef.current = clean(event.target.value);
      setToken(tokenRef.current);
    };

    return h(
      'div',
      { className: 'explorer' },
      h(
        'form',
        { className: 'explorer-token', onSubmit: (event) => event.preventDefault() },
        h('label', { htmlFor: 'explorer-token-input' }, 'Bearer token'),
        h('input', {
          id: 'explorer-token-input',
          name: 'token',
          type: 'password',
          autoComplete: 'off',
          spellCheck: false,
          placeholder: 'Paste a token (eyJ…)',
          onChange,
        }),
        h('span', { className: 'explorer-token-status', role: 'status' }, describe(token)),
      ),
      h(
        'div',
        { className: 'explorer-graphiql' },
        h(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY, shouldPersistHeaders: false }),
      ),
    );
  }

  ReactDOM.createRoot(mount).render(h(Explorer));
})();
