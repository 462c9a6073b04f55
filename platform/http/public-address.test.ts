import { describe, expect, it } from 'vitest';
import { isPublicAddress, resolvesToPublicAddresses } from './public-address.js';

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.20.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::7f00:1', false],
    ['64:ff9b::a00:1', false],
    ['2002:7f00:1::1', false],
    ['2001:0:4136:e378::1', false],
    ['fe80::1%eth0', false],
    ['not-an-ip', false],
    ['8.8.8.8', true],
    ['1.1.1.1', true],
    ['2606:4700:4700::1111', true],
  ])('%s → %s', (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });

  it('judges names by what they resolve to', async () => {
    expect(await resolvesToPublicAddresses('localhost')).toBe(false);
    expect(await resolvesToPublicAddresses('[::1]')).toBe(false);
    expect(await resolvesToPublicAddresses('10.0.0.5')).toBe(false);
    expect(await resolvesToPublicAddresses('no-such-host.invalid')).toBe(false);
  });
});
