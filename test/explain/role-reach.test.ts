/**
 * `npm run explain`'s line on which accounts' CDK bootstrap roles each role may assume, read
 * from the role's policies in the template (issue 20). The stack's own account is
 * `AWS::AccountId` there, a token until deploy.
 */
import { AccessQuestion, explainAccess, formatVerdict } from '../../lib/explain/explain-access';
import { runExplain } from '../../lib/explain/explain-command';
import { AUDIENCE, ENV_PROD, REPO_A, templateFromContext } from '../support/synth';

const ISSUER = 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const STEP = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
const STAGING = '444455556666';
const PRODUCTION = '777788889999';
type Template = Parameters<typeof explainAccess>[0];
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const question: AccessQuestion = { claims: { iss: ISSUER, aud: AUDIENCE, sub: `${REPO_A}:${ENV_PROD}:${STEP}` }, target: { account: '123456789012', partition: 'aws', region: 'eu-west-1' } };
const LAYOUT = {
  workspace: 'acme-corp',
  audience: AUDIENCE,
  roles: [
    { id: 'Preview', repositories: [REPO_A], cdkAccess: 'lookup' },
    { id: 'Deploy', repositories: [REPO_A], environments: [ENV_PROD] },
    { id: 'Reader', repositories: [REPO_A], cdkAccess: 'none', policies: ['ReadOnlyAccess'] },
  ],
};

/** The line each role gets, by output name. */
function reachLines(template: Template, more: Partial<AccessQuestion> = {}): Record<string, string[]> {
  const asked = { ...question, ...more };
  return Object.fromEntries(
    explainAccess(template, asked).map((verdict) => [verdict.outputName, formatVerdict(verdict, asked).filter((line) => /^ {2}(may|note) /.test(line) && !line.includes('source addresses'))]),
  );
}

/** The layout's template with the Deploy role's bootstrap-role statement given other resources. */
function deployReaching(resources: unknown): Template {
  const template = templateFromContext(LAYOUT).toJSON() as Template & { Resources: Resources };
  const policy = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes('Deploy'));
  const document = policy?.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> };
  document.Statement[0].Resource = resources;
  return template;
}

describe("the accounts each role's policies reach", () => {
  test("the recommended layout: deploy and lookup in this stack's account, lookup only, none", () => {
    expect(reachLines(templateFromContext(LAYOUT).toJSON() as Template)).toEqual({
      PreviewRoleArn: ["  may  assume CDK bootstrap roles: lookup in this stack's account"],
      DeployRoleArn: ["  may  assume CDK bootstrap roles: deploy and lookup in this stack's account"],
      ReaderRoleArn: ['  may  assume no CDK bootstrap role'],
    });
  });

  test('the account is shown by its ID when the context or an imported provider names it', () => {
    const template = templateFromContext(LAYOUT).toJSON() as Template;
    expect(reachLines(template, { stackAccount: '111122223333' }).DeployRoleArn).toEqual(['  may  assume CDK bootstrap roles: deploy and lookup in "111122223333" (this stack\'s account)']);
  });

  test("two named accounts: both, and not this stack's account", () => {
    const kinds = ['deploy', 'file-publishing', 'image-publishing', 'lookup'];
    const named = [STAGING, PRODUCTION].flatMap((account) => kinds.map((kind) => `arn:aws:iam::${account}:role/cdk-hnb659fds-${kind}-role-${account}-*`));
    expect(reachLines(deployReaching(named)).DeployRoleArn).toEqual([`  may  assume CDK bootstrap roles: deploy and lookup in "${STAGING}", "${PRODUCTION}"`]);
  });

  test('an account wildcard, and "*": any account', () => {
    for (const resource of ['arn:aws:iam::*:role/cdk-*', '*']) {
      expect(reachLines(deployReaching(resource)).DeployRoleArn).toEqual(['  may  assume CDK bootstrap roles: deploy and lookup in any account (every account bootstrapped to trust this one)']);
    }
  });

  test("the lookup role of any account beside this stack's deploy role: each said apart", () => {
    const resources = [
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-hnb659fds-deploy-role-', { Ref: 'AWS::AccountId' }, '-*']] },
      'arn:aws:iam::*:role/cdk-hnb659fds-lookup-role-*',
    ];
    expect(reachLines(deployReaching(resources)).DeployRoleArn).toEqual([
      "  may  assume CDK bootstrap roles: deploy in this stack's account; lookup in any account (every account bootstrapped to trust this one)",
    ]);
  });

  test('a customer managed policy is not in the template: taken to grant everything, and said', () => {
    const template = templateFromContext({ ...LAYOUT, roles: [{ id: 'Ops', repositories: [REPO_A], environments: [ENV_PROD], cdkAccess: 'none', policies: ['arn:aws:iam::111122223333:policy/Ops'] }] }).toJSON() as Template;
    expect(reachLines(template).OpsRoleArn).toEqual([
      '  may  assume CDK bootstrap roles: deploy and lookup in any account (every account bootstrapped to trust this one)',
      '  note cannot read "arn:aws:iam::111122223333:policy/Ops" here: taken to grant everything (npm run audit-roles reads it once deployed)',
    ]);
  });

  test('AdministratorAccess, read from its published document: any account', () => {
    const template = templateFromContext({ ...LAYOUT, roles: [{ id: 'Admin', repositories: [REPO_A], environments: [ENV_PROD], cdkAccess: 'none', policies: ['AdministratorAccess'] }] }).toJSON() as Template;
    expect(reachLines(template).AdminRoleArn).toEqual(['  may  assume CDK bootstrap roles: deploy and lookup in any account (every account bootstrapped to trust this one)']);
  });
});

describe('npm run explain names the account it knows', () => {
  const explain = (...context: string[]) =>
    runExplain(['--claims', '-', '--role', 'Deploy', '-c', 'workspace=acme-corp', '-c', `audience=${AUDIENCE}`, '-c', `roles=${JSON.stringify(LAYOUT.roles)}`, ...context], {
      readFile: () => ({ missing: true, reason: 'no such file' }),
      readStdin: () => JSON.stringify(question.claims),
    }).stdout.split('\n').filter((line) => line.startsWith('  may '));

  test("from the context's account, or the imported provider's; otherwise this stack's account", () => {
    expect(explain()).toEqual(["  may  assume CDK bootstrap roles: deploy and lookup in this stack's account"]);
    expect(explain('-c', 'account=111122223333')).toEqual(['  may  assume CDK bootstrap roles: deploy and lookup in "111122223333" (this stack\'s account)']);
    expect(explain('-c', `providerArn=arn:aws:iam::444455556666:oidc-provider/${ISSUER.slice(8)}`)).toEqual(['  may  assume CDK bootstrap roles: deploy and lookup in "444455556666" (this stack\'s account)']);
  });
});
