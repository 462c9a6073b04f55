import { describe, expect, it } from 'vitest';
import { add, formatMoney, money, parseMoney, sum, toDecimalString } from './money.js';

describe('money', () => {
  it('parses decimal strings exactly and refuses floats and extra decimals', () => {
    expect(parseMoney('12.34', 'USD')).toEqual({ amountMinor: 1234n, currency: 'USD' });
    expect(parseMoney('-0.05', 'USD').amountMinor).toBe(-5n);
    expect(parseMoney('1200', 'JPY').amountMinor).toBe(1200n);
    expect(parseMoney('1.234', 'KWD').amountMinor).toBe(1234n);
    expect(() => parseMoney('12.345', 'USD')).toThrow(RangeError);
    expect(() => parseMoney('1e3', 'USD')).toThrow(RangeError);
    expect(() => parseMoney(12.34 as unknown as string, 'USD')).toThrow(TypeError);
    expect(() => money(0.1 + 0.2, 'USD')).toThrow(RangeError);
    expect(() => money(2 ** 53, 'USD')).toThrow(RangeError);
    expect(() => money('1.5', 'USD')).toThrow(RangeError);
    expect(money(7, 'EUR').amountMinor).toBe(7n);
  });

  it('refuses unknown currencies and mixing currencies', () => {
    expect(() => money(1n, 'usd')).toThrow(RangeError);
    expect(() => money(1n, 'XXX')).toThrow(RangeError);
    expect(() => add(money(1n, 'USD'), money(1n, 'EUR'))).toThrow(RangeError);
    expect(() => sum('USD', [money(1n, 'USD'), money(2n, 'EUR')])).toThrow(RangeError);
    expect(sum('USD', [money(1n, 'USD'), money(2n, 'USD')]).amountMinor).toBe(3n);
  });

  it('formats exactly, beyond the range of doubles', () => {
    expect(toDecimalString(money(5n, 'USD'))).toBe('0.05');
    expect(toDecimalString(money(-123456n, 'USD'))).toBe('-1234.56');
    expect(toDecimalString(money(42n, 'JPY'))).toBe('42');
    expect(toDecimalString(money(123456789012345678901n, 'USD'))).toBe('1234567890123456789.01');
    expect(formatMoney(money(123456n, 'USD'))).toBe('$1,234.56');
    expect(formatMoney(money(9007199254740993n, 'USD'))).toBe('$90,071,992,547,409.93');
  });
});
