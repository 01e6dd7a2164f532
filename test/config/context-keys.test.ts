import { readFileSync } from 'fs';
import { join } from 'path';
import { App, ContextProvider, Stack } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CONTEXT_KEYS, ROLE_ENTRY_KEYS, ROLE_KEYS, STACKSET_KEYS } from '../../lib/config/context-keys';
import { parseOidcConfig } from '../../lib/config/parse-oidc-config';
import { AUDIENCE, BASE_CONTEXT, REPO_A } from '../support/synth';

const ROOT = join(__dirname, '..', '..');

function problems(context: Record<string, unknown>): readonly string[] {
  const result = parseOidcConfig(context);
  return result.ok ? [] : result.problems;
}

describe("CDK's own context is not the app's to refuse", () => {
  test("cdk.json's own context (feature flags, @aws-cdk-containers/… included) passes, as npm run explain reads it", () => {
    const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    expect(Object.keys(cdkJson.context)).toContain('@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver');
    expect(problems({ ...cdkJson.context, ...BASE_CONTEXT })).toEqual([]);
  });

  test("what the CLI injects into every synth, named by aws-cdk-lib's own constants", () => {
    const injected = {
      [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true,
      [cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true,
      [cxapi.ANALYTICS_REPORTING_ENABLED_CONTEXT]: true,
      'aws:cdk:disable-version-reporting': true,
      [cxapi.DISABLE_ASSET_STAGING_CONTEXT]: true,
      [cxapi.BUNDLING_STACKS]: ['**'],
      [cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false,
      [cxapi.DISABLE_METADATA_STACK_TRACE]: true,
      [cxapi.ENABLE_DIFF_NO_FAIL_CONTEXT]: true,
    };
    expect(problems({ ...BASE_CONTEXT, ...injected })).toEqual([]);
  });

  test('the settings cdk acknowledge and cdk cli-telemetry keep in the context', () => {
    expect(problems({ ...BASE_CONTEXT, 'acknowledged-issue-numbers': [34892], 'cli-telemetry': false })).toEqual([]);
  });

  test("context lookup results, keyed by aws-cdk-lib's own ContextProvider.getKey for every provider", () => {
    const stack = new Stack(new App(), 'Lookups', { env: { account: '123456789012', region: 'eu-west-1' } });
    const keys = Object.values(cxschema.ContextProvider).flatMap((provider) => [
      ContextProvider.getKey(stack, { provider }).key,
      ContextProvider.getKey(stack, { provider, props: { parameterName: '/app/x:y', filter: { 'tag:Name': 'main' } } }).key,
      ContextProvider.getKey(stack, { provider, includeEnvironment: false }).key,
    ]);
    expect(keys).toContain('availability-zones:account=123456789012:region=eu-west-1');
    expect(problems({ ...BASE_CONTEXT, ...Object.fromEntries(keys.map((key) => [key, ['eu-west-1a']])) })).toEqual([]);
  });
});

describe('every other unknown key is refused, one line each, with the nearest known key', () => {
  test.each([
    ['envs', 'environments'],
    ['deploymentEnvironments', 'environments'],
    ['enviroments', 'environments'],
    ['Environments', 'environments'],
    ['boundary', 'permissionsBoundary'],
    ['sourceIpRanges', 'allowedIpRanges'],
    ['repos', 'repositories'],
    ['repository', 'repositories'],
    ['policy', 'policies'],
    ['cdkaccess', 'cdkAccess'],
    ['qualifier', 'cdkQualifier'],
    ['maxSessionDuration', 'sessionDuration'],
    ['stackSetOUs', 'stackSetOrganizationalUnits'],
    ['aws:region', 'region'],
    ['branches', undefined],
    ['aws:foo', undefined],
  ])('%s → %s', (key, meant) => {
    const [line] = problems({ ...BASE_CONTEXT, [key]: 'x' });
    const start = `${key}: got "x"; expected a key this app reads`;
    expect(line.slice(0, start.length)).toBe(start);
    if (meant === undefined) expect(line).toMatch(/; example: one of the keys in the README's Context keys$/);
    else expect(line).toContain(`here likely ${meant} (an unknown key is ignored, and with it whatever it would restrict); example: ${meant}=<the same value>`);
  });

  test('the restrictions users try to add: every one refused at once, beside the other problems', () => {
    const lines = problems({ ...BASE_CONTEXT, repositories: 'R', envs: 'E', deploymentEnvironments: 'E', boundary: 'B', sourceIpRanges: '203.0.113.0/24', cdkAcess: 'lookup' });
    expect(lines.map((line) => line.split(': ')[0])).toEqual(['envs', 'deploymentEnvironments', 'boundary', 'sourceIpRanges', 'cdkAcess', 'repositories']);
  });

  test('a key that is user text like any value: escaped and cut', () => {
    const [escaped] = problems({ ...BASE_CONTEXT, 'x\nRoleArn: ADMITTED\u001b[2J': 'v' });
    expect(escaped.startsWith('"x\\nRoleArn: ADMITTED\\u001b[2J": got "v"')).toBe(true);
    const [long] = problems({ ...BASE_CONTEXT, ['k'.repeat(10_000)]: 'v'.repeat(10_000) });
    expect(long.length).toBeLessThan(400);
    expect(long).toContain('… (10002 characters)');
  });

  test('id outside roles says where it belongs', () => {
    expect(problems({ ...BASE_CONTEXT, id: 'Deploy' })).toEqual([
      'id: got "Deploy"; expected a key that belongs here; id names an entry of roles; example: roles=[{"id":"Deploy",…}]',
    ]);
  });

  test('in a roles entry: unknown keys with the nearest role key, and stack keys said to belong beside roles', () => {
    const lines = problems({ workspace: 'acme-corp', audience: AUDIENCE, roles: [{ id: 'Deploy', repositories: [REPO_A], envs: ['E'], cdkQualifier: 'team1', '@aws-cdk/core:x': true }] });
    expect(lines).toEqual([
      'roles[0].envs: got ["E"]; expected a key this app reads, here likely environments (an unknown key is ignored, and with it whatever it would restrict); example: environments=<the same value>',
      'roles[0].cdkQualifier: got "team1"; expected a key that belongs here; cdkQualifier applies to the whole stack, so it sits beside roles, not in an entry; example: cdkQualifier=… beside roles=[…]',
      'roles[0].@aws-cdk/core:x: got true; expected a key this app reads (an unknown key is ignored, and with it whatever it would restrict); example: one of the keys in the README\'s Context keys',
    ]);
  });
});

describe('the list of keys is the one place a key is added', () => {
  /** The keys parseOidcConfig reads from a context, seen through a proxy. */
  function keysRead(context: Record<string, unknown>): Set<string> {
    const read = new Set<string>();
    const spy = (source: Record<string, unknown>): Record<string, unknown> =>
      new Proxy(source, {
        get(target, key) {
          if (typeof key === 'string') read.add(key);
          return Reflect.get(target, key);
        },
      });
    parseOidcConfig(spy(context));
    return read;
  }

  test('every listed key is read, and no other', () => {
    const everything = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, { unreadable: true }]));
    const read = keysRead(everything);
    expect([...read].filter((key) => !CONTEXT_KEYS.includes(key))).toEqual([]);
    expect(CONTEXT_KEYS.filter((key) => !read.has(key))).toEqual([]);
  });

  test('a bad value for any listed key is a line naming that key', () => {
    for (const key of CONTEXT_KEYS) {
      const context = { ...BASE_CONTEXT, ...(STACKSET_KEYS.some((k) => k === key) ? { stackSetOrganizationalUnits: 'ou-ab12-34cd56ef', stackSetRegion: 'eu-west-1' } : {}), [key]: { unreadable: true } };
      if (key === 'roles') delete (context as Record<string, unknown>).repositories;
      expect([key, problems(context).some((line) => line.startsWith(`${key}: got {"unreadable":true}`))]).toEqual([key, true]);
    }
  });

  test('every role key is read in a roles entry too', () => {
    for (const key of ROLE_KEYS) {
      const lines = problems({ workspace: 'acme-corp', audience: AUDIENCE, roles: [{ id: 'Deploy', repositories: [REPO_A], [key]: { unreadable: true } }] });
      expect([key, lines.some((line) => line.startsWith(`roles[0].${key}: got {"unreadable":true}`))]).toEqual([key, true]);
    }
    expect(ROLE_ENTRY_KEYS).toEqual(['id', ...ROLE_KEYS]);
  });

  test("the README's Context keys section names every key", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Context keys'), readme.indexOf('\n## ', readme.indexOf('## Context keys') + 1));
    expect(CONTEXT_KEYS.filter((key) => !section.includes(`\`${key}\``))).toEqual([]);
  });
});
