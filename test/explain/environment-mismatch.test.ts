import { explainAccess, formatVerdict } from '../../lib/explain/explain-access';
import { AUDIENCE, BASE_CONTEXT, ENV_PROD, ENV_STAGING, REPO_A, REPO_B, templateFromContext } from '../support/synth';

const ISSUER = 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const STEP = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
const TARGET = { account: '111122223333', partition: 'aws', region: 'eu-west-1' };
type Template = Parameters<typeof explainAccess>[0];

function verdict(template: Template, sub: string) {
  const question = { claims: { iss: ISSUER, aud: AUDIENCE, sub }, target: TARGET };
  const [only] = explainAccess(template, question);
  return { ...only, environmentMismatch: only.facts.find((fact) => fact.kind === 'environment')?.text, lines: formatVerdict(only, question) };
}

describe('explain says in one line when the deployment environment is what refuses a step', () => {
  const pinned = templateFromContext({ ...BASE_CONTEXT, environments: ENV_PROD }).toJSON() as Template;

  test('a step without deployment: and a role that admits only environment steps', () => {
    const { admitted, environmentMismatch, lines } = verdict(pinned, `${REPO_A}:${STEP}`);
    expect([admitted, environmentMismatch]).toEqual([false, `this step has no \`deployment:\`; the role admits only steps deploying to "${ENV_PROD}"`]);
    expect(lines[1]).toBe(`  why  this step has no \`deployment:\`; the role admits only steps deploying to "${ENV_PROD}"`);
  });

  test('a step deploying to another environment', () => {
    expect(verdict(pinned, `${REPO_A}:${ENV_STAGING}:${STEP}`).environmentMismatch).toBe(
      `this step deploys to "${ENV_STAGING}"; the role admits only steps deploying to "${ENV_PROD}"`,
    );
  });

  test('the reverse: a step deploying to an environment, and a role that admits only steps without one', () => {
    const template = templateFromContext(BASE_CONTEXT).toJSON() as Template;
    const role = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::IAM::Role');
    const statement = (role?.Properties?.AssumeRolePolicyDocument as { Statement: Array<{ Condition: Record<string, Record<string, unknown>> }> }).Statement[0];
    // A hand-written trust: exactly repository and step, no room for an environment in between.
    statement.Condition.StringLike = { [`${ISSUER.slice(8)}:sub`]: `${REPO_A}:{????????-????-????-????-????????????}` };
    expect(verdict(template, `${REPO_A}:${ENV_PROD}:${STEP}`).environmentMismatch).toBe(
      `this step deploys to "${ENV_PROD}"; the role admits only steps without a deployment environment`,
    );
  });

  test.each([
    ['another repository: the environment is not the reason', `${REPO_B}:${STEP}`],
    ['another repository through the pinned environment', `${REPO_B}:${ENV_PROD}:${STEP}`],
    ['an admitted step', `${REPO_A}:${ENV_PROD}:${STEP}`],
    ['a sub that is not Bitbucket-shaped', 'repo:step'],
  ])('no such line for %s', (_label, sub) => {
    expect(verdict(pinned, sub).environmentMismatch).toBeUndefined();
  });
});
