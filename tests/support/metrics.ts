/** Reads one counter from a service's Prometheus `/metrics` over HTTP. */
export async function readCounter(serviceGraphqlUrl: string, name: string): Promise<number> {
  const res = await fetch(serviceGraphqlUrl.replace(/\/graphql$/, '/metrics'));
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  if (!line) throw new Error(`metric ${name} not found`);
  return Number(line.split(' ').at(-1));
}
