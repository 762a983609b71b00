import { describe, expect, it } from 'vitest';
import { duplicateKey } from '../../server/http/json-keys';

describe('duplicateKey', () => {
  it('finds a key named twice in one object, at any depth, compared as parsed', () => {
    expect(duplicateKey('{"amount":1,"amount":-5}')).toBe('amount');
    expect(duplicateKey('{"a":{"b":1,"c":[{"d":1,"d":2}]}}')).toBe('d');
    expect(duplicateKey('{"a":1,"\\u0061":2}')).toBe('a');
    expect(duplicateKey('[{"x":1},{"y":{"z":1}},{"q":1,"q":1}]')).toBe('q');
    expect(duplicateKey('{"a\\"b":1,"a\\"b":2}')).toBe('a"b');
  });

  it('ends on text that is not JSON (an unclosed string)', () => {
    expect(duplicateKey('{"a":1,"b')).toBeNull();
  });

  it('lets through the same key in different objects, and keys written as values', () => {
    for (const text of [
      '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}',
      '{"a":"a","b":["a","a"],"c":"\\"a\\":1,\\"a\\":2"}',
      '{"a":{},"b":[],"c":[[],{}],"d":null}',
      '"a"', '[1,2,3]', '{}', '{"k":"{\\"k\\":1}","j":"}"}', ' { "a" : 1 , "b" : 2 } ',
    ]) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect([text, duplicateKey(text)]).toEqual([text, null]);
    }
  });

  it('agrees with JSON.parse on random objects: a duplicate exactly when the text has more keys than the value', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const keyNames = ['a', 'b', 'c', '\\u0061', 'a\\"', '\\n'];
    const value = (depth: number): string => {
      const kind = depth > 2 ? rnd(3) : rnd(5);
      if (kind === 0) return String(rnd(100));
      if (kind === 1) return `"${keyNames[rnd(keyNames.length)]}"`;
      if (kind === 2) return 'null';
      if (kind === 3) return `[${Array.from({ length: rnd(3) }, () => value(depth + 1)).join(',')}]`;
      return `{${Array.from({ length: rnd(4) }, () => `"${keyNames[rnd(keyNames.length)]}":${value(depth + 1)}`).join(',')}}`;
    };
    const countKeys = (v: unknown): number =>
      Array.isArray(v) ? v.reduce((n: number, x) => n + countKeys(x), 0)
        : v !== null && typeof v === 'object' ? Object.values(v).reduce((n: number, x) => n + 1 + countKeys(x), 0) : 0;
    let duplicates = 0;
    for (let i = 0; i < 2_000; i++) {
      const text = value(0);
      const textKeys = (text.match(/"(?:[^"\\]|\\.)*"\s*:/g) ?? []).length;
      const twice = duplicateKey(text) !== null;
      expect([text, twice]).toEqual([text, textKeys > countKeys(JSON.parse(text))]);
      if (twice) duplicates++;
    }
    expect(duplicates).toBeGreaterThan(100);
  });
});
