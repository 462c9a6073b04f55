let metricsToken: string | undefined;

/** The operator credential `/metrics` requires (startTestStack sets it from the stack's data directory). */
export function useMetricsToken(token: string | undefined): void {
  metricsToken = token;
}

/** The values of every series of one counter (all label sets) from a service's Prometheus `/metrics`. */
async function counterValues(serviceGraphqlUrl: string, name: string): Promise<number[]> {
  const res = await fetch(serviceGraphqlUrl.replace(/\/graphql$/, '/metrics'), {
    headers: metricsToken ? { authorization: `Bearer ${metricsToken}` } : {},
  });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => Number(l.split(' ').at(-1)));
}

/** Reads one counter (its first series) from a service's Prometheus `/metrics` over HTTP. */
export async function readCounter(serviceGraphqlUrl: string, name: string): Promise<number> {
  const [value] = await counterValues(serviceGraphqlUrl, name);
  if (value === undefined) throw new Error(`metric ${name} not found`);
  return value;
}

/** Sums every series of a counter (0 when it has none yet). */
export async function sumCounter(serviceGraphqlUrl: string, name: string): Promise<number> {
  return (await counterValues(serviceGraphqlUrl, name)).reduce((sum, v) => sum + v, 0);
}
