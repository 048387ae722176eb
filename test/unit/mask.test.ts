import { describe, expect, test } from '@jest/globals';
import { hasPassword, maskDeep, maskSecrets, maskUrl, withoutPassword } from '../../src/log/mask.ts';

const SECRET = 'Zq7-unit-s3cret';

describe('maskSecrets hides a password in every form it is written', () => {
  const cases: [string, string, string][] = [
    ['postgres:// userinfo', `postgres://app:${SECRET}@db:5432/shop`, 'postgres://app:****@db:5432/shop'],
    ['postgresql:// userinfo', `postgresql://app:${SECRET}@db/shop`, 'postgresql://app:****@db/shop'],
    ['mongodb:// userinfo, several hosts', `mongodb://u:${SECRET}@h1:27017,h2:27017/shop?replicaSet=rs`, 'mongodb://u:****@h1:27017,h2:27017/shop?replicaSet=rs'],
    ['mongodb+srv:// userinfo', `mongodb+srv://u:${SECRET}@cluster0.example.net/shop`, 'mongodb+srv://u:****@cluster0.example.net/shop'],
    ['any scheme, no path', `redis://:${SECRET}@cache`, 'redis://:****@cache'],
    ['percent-encoded characters', `postgres://app:p%40ss%2Fw${SECRET}@db/shop`, 'postgres://app:****@db/shop'],
    ['an unencoded @ in the password', `postgres://app:p@ss${SECRET}@db/shop`, 'postgres://app:****@db/shop'],
    ['?password= query parameter', `postgres://db/shop?user=app&password=${SECRET}&sslmode=require`, 'postgres://db/shop?user=app&password=****&sslmode=require'],
    ['&sslpassword= query parameter', `postgres://app@db/shop?sslmode=verify-full&sslpassword=${SECRET}`, 'postgres://app@db/shop?sslmode=verify-full&sslpassword=****'],
    ['libpq keyword/value', `host=db port=5432 password=${SECRET} dbname=shop`, 'host=db port=5432 password=**** dbname=shop'],
    ['libpq quoted value with a space', `host=db password='a b\\'${SECRET}' dbname=shop`, 'host=db password=**** dbname=shop'],
    ['libpq spaces around =', `host=db password = ${SECRET} dbname=shop`, 'host=db password = **** dbname=shop'],
    ['PGPASSWORD=', `PGPASSWORD=${SECRET} psql`, 'PGPASSWORD=**** psql'],
    ['--target-url=', `migrate --target-url=postgres://app:${SECRET}@db/shop --dump x`, 'migrate --target-url=postgres://app:****@db/shop --dump x'],
    ['--mongo-url value in quotes', `migrate --mongo-url 'mongodb://u:${SECRET}@h:27017/shop'`, "migrate --mongo-url 'mongodb://u:****@h:27017/shop'"],
    ['JSON pair', `{"user":"app","password":"${SECRET}"}`, '{"user":"app","password":"****"}'],
    ['inside a driver error', `getaddrinfo ENOTFOUND for postgres://app:${SECRET}@nohost/shop.`, 'getaddrinfo ENOTFOUND for postgres://app:****@nohost/shop.'],
  ];
  test.each(cases)('%s', (_name, input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
    expect(maskSecrets(input)).not.toContain(SECRET);
    // Masking what is already masked changes nothing.
    expect(maskSecrets(expected)).toBe(expected);
  });

  test('text without a password is left alone', () => {
    for (const text of ['postgres://app@db:5432/shop', 'password authentication failed for user "app"', 'mongodb://127.0.0.1:27017/shop', 'host=db user=app dbname=shop', 'see https://example.com/a:b']) {
      expect(maskSecrets(text)).toBe(text);
    }
  });
});

describe('maskUrl: the stored form of a connection string', () => {
  test('hides userinfo and query passwords, keeps everything else', () => {
    expect(maskUrl(`postgres://app:${SECRET}@db:5432/shop?password=${SECRET}&application_name=x`)).toBe('postgres://app:****@db:5432/shop?password=****&application_name=x');
    expect(maskUrl(`mongodb://u:${SECRET}@127.0.0.1:27017/shop`)).toBe('mongodb://u:****@127.0.0.1:27017/shop');
    expect(maskUrl(`host=db password=${SECRET}`)).toBe('host=db password=****');
  });

  test('is the same whatever the password, so identity never depends on it', () => {
    expect(maskUrl(`postgres://app:${SECRET}@db/shop`)).toBe(maskUrl('postgres://app:other@db/shop'));
    expect(maskUrl(`postgres://db/shop?password=${SECRET}`)).toBe(maskUrl('postgres://db/shop?password=x'));
  });

  test('a URL without a password keeps the form it always had (run ids and config hashes of existing runs stay valid)', () => {
    expect(maskUrl('postgresql://postgres@127.0.0.1:5432/postgres')).toBe('postgresql://postgres@127.0.0.1:5432/postgres');
    expect(maskUrl('postgres://u:****@db/shop')).toBe('postgres://u:****@db/shop');
  });

  test('hasPassword tells a masked form', () => {
    expect(hasPassword(`postgres://app:${SECRET}@db/shop`)).toBe(true);
    expect(hasPassword(`postgres://db/shop?sslpassword=${SECRET}`)).toBe(true);
    expect(hasPassword(`host=db password=${SECRET}`)).toBe(true);
    expect(hasPassword('postgres://app@db/shop')).toBe(false);
  });
});

test('withoutPassword drops the password for a command a person runs', () => {
  expect(withoutPassword('postgres://app:****@db:5432/shop?password=****&sslmode=require')).toBe('postgres://app@db:5432/shop?sslmode=require');
  expect(withoutPassword(`host=db password=${SECRET} dbname=shop`)).toBe('host=db dbname=shop');
});

test('maskDeep masks every string of a report, keeps the rest', () => {
  const report = { ok: true, target: `postgres://a:${SECRET}@h/d`, findings: [{ message: `password=${SECRET}`, count: 2 }], at: null };
  expect(maskDeep(report)).toEqual({ ok: true, target: 'postgres://a:****@h/d', findings: [{ message: 'password=****', count: 2 }], at: null });
});
