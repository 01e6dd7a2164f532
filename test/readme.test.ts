import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { App, RemovalPolicies, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ts from 'typescript';
import { auditRole } from '../lib/audit/audit-role';
import { formatTable } from '../lib/audit/report';
import { evaluatePermissions } from '../lib/iam-evaluator/evaluate-permissions';
import { rolesAsDeployed } from './support/synth';

const ROOT = join(__dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Every bin/, lib/ and test/ path the README names, as written (not inside a longer path or a URL). */
function namedPaths(text: string): string[] {
  const found = text.match(/(?<![\w./-])(?:bin|lib|test)\/[\w./-]*/g) ?? [];
  return [...new Set(found.map((path) => path.replace(/\.+$/, '')))];
}

describe('README.md', () => {
  test('every bin/, lib/ and test/ path it names exists (a module may be named without its .ts)', () => {
    const paths = namedPaths(readme);
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((path) => !existsSync(join(ROOT, path)) && !existsSync(join(ROOT, `${path}.ts`)))).toEqual([]);
  });

  test("shows --json output through npm run -s: without it npm's banner comes first on stdout", () => {
    const jsonCommands = readme.split('\n').filter((line) => /\bnpm run\b.*\s--json\b/.test(line));
    expect(jsonCommands.length).toBeGreaterThan(0);
    expect(jsonCommands.filter((line) => !/\bnpm run (-s|--silent) /.test(line))).toEqual([]);
  });

  test("states the runtime package.json's engines accept", () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('^22.12.0 || ^24.0.0');
    expect(readme).toContain('Node.js 22 (from 22.12) or 24');
  });
});

describe("Moving to this app, path (b): the escape hatch that keeps an article stack's provider, against the pinned aws-cdk-lib", () => {
  const section = readme.slice(readme.indexOf('### (b) An article-style CDK stack'), readme.indexOf('\n## ', readme.indexOf('### (b) An article-style CDK stack')));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const PROPS = { url: 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc', clientIds: ['ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c'] };

  /** The resources of an article stack whose provider is made, then given `keep`, and their deletion policies. */
  function policies(keep: (stack: Stack) => void): Record<string, string | undefined> {
    const stack = new Stack(new App(), 'Article');
    keep(stack);
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>;
    return Object.fromEntries(Object.values(resources).map((resource) => [resource.Type, resource.DeletionPolicy]));
  }

  test("the README's snippet, run as written (its props filled in): the custom resource is Retain, its Lambda and role are not", () => {
    expect(snippet).toContain("applyRemovalPolicy(RemovalPolicy.RETAIN)");
    expect(snippet).toContain('{ /* as before */ }');
    const code = ts.transpileModule(snippet.replace('{ /* as before */ }', 'props'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const kept = policies((stack) => new Function('require', 'exports', 'iam', 'props', code).call(stack, require, {}, iam, PROPS));
    expect(kept).toEqual({ 'Custom::AWSCDKOpenIdConnectProvider': 'Retain', 'AWS::IAM::Role': undefined, 'AWS::Lambda::Function': undefined });
    expect(policies((stack) => new iam.OpenIdConnectProvider(stack, 'BitbucketProvider', PROPS))['Custom::AWSCDKOpenIdConnectProvider']).not.toBe('Retain');
  });

  test('the alternatives it names: RemovalPolicies.of works; applyRemovalPolicy on the construct itself throws', () => {
    expect(section).toContain('RemovalPolicies.of(provider).apply(RemovalPolicy.RETAIN)');
    const viaPolicies = policies((stack) => RemovalPolicies.of(new iam.OpenIdConnectProvider(stack, 'BitbucketProvider', PROPS)).apply(RemovalPolicy.RETAIN));
    expect(viaPolicies['Custom::AWSCDKOpenIdConnectProvider']).toBe('Retain');
    expect(section).toContain('"Cannot apply RemovalPolicy: no child or not a\n     CfnResource"');
    expect(() => policies((stack) => new iam.OpenIdConnectProvider(stack, 'BitbucketProvider', PROPS).applyRemovalPolicy(RemovalPolicy.RETAIN))).toThrow('Cannot apply RemovalPolicy: no child or not a CfnResource');
  });
});

describe('Moving to this app, path (a)', () => {
  test("the audit output it shows is what npm run audit-roles prints for such an account", () => {
    const section = readme.slice(readme.indexOf('### (a) A provider made in the IAM console'), readme.indexOf('### (b) An article-style CDK stack'));
    const shown = (/```\n([\s\S]*?)```/.exec(section)?.[1] ?? '').split('\n').map((line) => line.replace(/^ {3}/, '')).filter((line) => line !== '');
    expect(shown).toHaveLength(5);
    const arn = 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
    const provider = { arn, host: arn.split(':oidc-provider/')[1], workspace: 'acme-corp', clientIds: ['ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c'] };
    const role = { arn: 'arn:aws:iam::123456789012:role/bitbucket-pipelines', name: 'bitbucket-pipelines', providers: [arn], findings: [], bootstrapReach: { deploy: { accounts: [], anyAccount: false }, lookup: { accounts: [], anyAccount: false } } };
    const printed = formatTable({ scope: 'caller', accounts: [{ id: '123456789012', status: 'read', problems: [], providers: [provider], roles: [role], rolesListed: 1 }], failOn: 'high' }).split('\n');
    expect(printed.slice(0, 5)).toEqual(shown);
  });
});

describe('Staging and production in their own accounts', () => {
  const section = readme.slice(readme.indexOf('### Staging and production in their own accounts'), readme.indexOf('\n## ', readme.indexOf('### Staging and production in their own accounts')));
  const context = (JSON.parse(/```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '{}') as { context: Record<string, unknown> }).context;
  const [staging, production, identity] = ['111111111111', '222222222222', '123456789012'];

  test("its cdk.json synthesizes, and each role reaches exactly the accounts its row says (the IAM evaluator on the template as deployed)", () => {
    const roles = rolesAsDeployed(context, identity);
    const reaches = (output: string, kind: string) =>
      [identity, staging, production].filter((account) => evaluatePermissions(Object.fromEntries(roles[output].inlinePolicies.map((policy, n) => [String(n), policy])), { action: 'sts:AssumeRole', resource: `arn:aws:iam::${account}:role/cdk-hnb659fds-${kind}-role-${account}-eu-west-1` }).allowed);
    expect(Object.keys(roles).sort()).toEqual(['DeployProductionRoleArn', 'DeployStagingRoleArn', 'PreviewRoleArn']);
    expect([reaches('PreviewRoleArn', 'lookup'), reaches('PreviewRoleArn', 'deploy')]).toEqual([[staging, production], []]);
    expect([reaches('DeployStagingRoleArn', 'deploy'), reaches('DeployStagingRoleArn', 'file-publishing')]).toEqual([[staging], [staging]]);
    expect([reaches('DeployProductionRoleArn', 'deploy'), reaches('DeployProductionRoleArn', 'file-publishing')]).toEqual([[production], [production]]);
  });

  test('the bootstrap command trusts the identity account and narrows the execution role; the stages match the sample pipeline', () => {
    expect(section).toContain(`npx cdk bootstrap aws://${staging}/eu-west-1 --trust ${identity} \\\n  --cloudformation-execution-policies arn:aws:iam::${staging}:policy/`);
    const pipeline = readFileSync(join(ROOT, 'bitbucket-pipelines.yml'), 'utf8');
    for (const stage of ['Staging', 'Production']) {
      expect(section).toContain(`new MyService(app, '${stage}'`);
      expect(pipeline).toContain(`"\${CDK_STACKS:-${stage}/**}"`);
    }
  });
});

describe('README.md contents line', () => {
  /** The anchor GitHub (and most Markdown viewers) give a heading: lower case, punctuation dropped, spaces as dashes. */
  function anchor(heading: string): string {
    return heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
  }
  const contents = /^\*\*Contents\*\*:([\s\S]*?)\n\n/m.exec(readme)?.[1] ?? '';
  const links = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]);
  const headings = readme.replace(/```[\s\S]*?```/g, '').split('\n').filter((line) => /^#{2,3} /.test(line));

  test('comes before the first section, and every link in it reaches a heading', () => {
    expect(readme.indexOf('**Contents**')).toBeLessThan(readme.indexOf('\n## '));
    const anchors = new Set(headings.map((line) => anchor(line.replace(/^#+ /, ''))));
    expect(links.length).toBeGreaterThan(10);
    expect(links.filter((link) => !anchors.has(link))).toEqual([]);
  });

  test('names every top-level (##) section', () => {
    const sections = headings.filter((line) => line.startsWith('## ')).map((line) => anchor(line.slice(3)));
    expect(sections.filter((section) => !links.includes(section))).toEqual([]);
  });
});

describe('Auditing the roles an account already has: which accounts a role deploys into', () => {
  test('the table it shows is what npm run audit-roles prints for a role naming one account and one naming any', () => {
    const at = readme.indexOf('**Which accounts a role deploys into.**');
    const shown = (/```\n([\s\S]*?)```/.exec(readme.slice(at))?.[1] ?? '').trimEnd().split('\n');
    const host = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
    const provider = { arn: `arn:aws:iam::111122223333:oidc-provider/${host}`, host, workspace: 'acme-corp', clientIds: ['ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c'] };
    const staging = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}:{5ca1ab1e-0000-4000-8000-00000000beef}:*';
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: provider.arn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${host}:aud`]: provider.clientIds[0] }, StringLike: { [`${host}:sub`]: staging } } }] };
    const kinds = ['deploy', 'file-publishing', 'image-publishing', 'lookup'];
    const role = (name: string, resource: unknown) =>
      auditRole({ arn: `arn:aws:iam::111122223333:role/${name}`, name, trust, maxSessionDurationSeconds: 3600, attachedPolicyArns: [], permissionDocuments: { cdk: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource }] } } }, [provider]);
    const roles = [role('DeployStaging', kinds.map((kind) => `arn:aws:iam::444455556666:role/cdk-hnb659fds-${kind}-role-444455556666-*`)), role('deploy-any', 'arn:aws:iam::*:role/cdk-*')];
    const printed = formatTable({ scope: 'caller', accounts: [{ id: '111122223333', status: 'read', problems: [], providers: [provider], roles, rolesListed: 2 }], failOn: 'high' }).split('\n');
    const table = printed.indexOf(shown[0]);
    expect(shown).toHaveLength(5);
    expect(printed.slice(table, table + shown.length)).toEqual(shown);
  });
});
