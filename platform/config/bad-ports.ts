/**
 * The Fetch standard's "bad ports" (https://fetch.spec.whatwg.org/#port-blocking):
 * Node's `fetch` (undici) refuses every one with "bad port" before it connects.
 * The gateway reaches subgraphs and `npm start` reaches the gateway's token
 * endpoint with `fetch`, so a service configured on one of these starts and
 * then fails on its first call: refuse them when the configuration is read.
 * `bad-ports.test.ts` checks this list against the running Node's `fetch`.
 */
export const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102,
  103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465,
  512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993,
  995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668,
  6669, 6679, 6697, 10080,
]);

/** Why `port` cannot carry HTTP between Carefed's services, or undefined when it can. */
export function blockedPortProblem(port: number): string | undefined {
  return FETCH_BLOCKED_PORTS.has(port)
    ? `port ${port} is on the Fetch standard's blocked-port list (Node's fetch refuses it with "bad port"); choose another port`
    : undefined;
}

/** Throws naming the setting when `port` is one `fetch` refuses. */
export function assertFetchablePort(port: number, setting: string): void {
  const problem = blockedPortProblem(port);
  if (problem) throw new Error(`${setting}: ${problem}`);
}
