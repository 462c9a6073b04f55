import { badInput } from '../errors/index.js';

/**
 * Checks a webhook endpoint: an absolute http(s) URL without credentials or
 * fragment, at most 2048 characters; in production https only, so deliveries
 * (and their signatures) never travel in clear. Returns it normalised.
 */
export function checkWebhookUrl(raw: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badInput('url must be an absolute http(s) URL', 'url');
  }
  const allowed = production ? ['https:'] : ['https:', 'http:'];
  if (!allowed.includes(url.protocol))
    throw badInput(production ? 'url must use https' : 'url must use http or https', 'url');
  if (url.username || url.password || url.hash)
    throw badInput('url must not carry credentials or a fragment', 'url');
  const normalised = url.toString();
  if (normalised.length > 2048) throw badInput('url is longer than 2048 characters', 'url');
  return normalised;
}
