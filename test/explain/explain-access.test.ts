import { explainAccess, formatVerdict, roleNames } from '../../lib/explain/explain-access';
import { AUDIENCE, BASE_CONTEXT, ENV_PROD, REPO_A, templateFromContext } from '../support/synth';

const ISSUER = 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const STEP = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
const TARGET = { account: '111122223333', partition: 'aws', region: 'eu-west-1' };
type Template = Parameters<typeof explainAccess>[0];
type Statement = { Condition: Record<string, Record<string, unknown>> };

const question = { claims: { iss: ISSUER, aud: AUDIENCE, sub: `${REPO_A}:${ENV_PROD}:${STEP}` }, target: TARGET };

describe('formatVerdict: a hand-written template cannot forge a line either', () => {
  test('a logical ID, an output name and a condition key with control characters are quoted; CDK-made names stay bare', () => {
    const template = templateFromContext(BASE_CONTEXT).toJSON() as Template & { Outputs: Record<string, unknown> };
    const [roleId] = Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'AWS::IAM::Role');
    const role = template.Resources[roleId];
    const statement = (role.Properties?.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement[0];
    statement.Condition.StringEquals['aws:PrincipalTag/x\nRoleArn (Forged): ADMITTED'] = 'y';
    const hostileId = 'Role\u001b[2J';
    const { [roleId]: moved, ...others } = template.Resources;
    const hostile = { ...template, Resources: { ...others, [hostileId]: moved }, Outputs: { 'Out\u202e': { Value: { 'Fn::GetAtt': [hostileId, 'Arn'] } } } };
    const lines = explainAccess(hostile, question).flatMap((verdict) => formatVerdict(verdict, question));
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(lines[0]).toBe('"Out\\u202e" ("Role\\u001b[2J"): REFUSED');
    expect(lines).toContain('  FAIL StringEquals "aws:PrincipalTag/x\\nRoleArn (Forged): ADMITTED": expected "y"; the request has nothing (the key is not in the request)');
    expect(lines).toContain(`  ok   StringLike ${ISSUER.slice(8)}:sub: expected "${REPO_A}:*"; the request has "${REPO_A}:${ENV_PROD}:${STEP}"`);
  });

  test('the names --role accepts: id, output name, logical ID; the flat role has no id', () => {
    const verdict = { admitted: true, logicalId: 'DeployPipelineRoleA1', outputName: 'DeployRoleArn', decision: { admitted: true, conservative: false, statements: [] }, facts: [] };
    expect(roleNames(verdict)).toEqual(['Deploy', 'DeployRoleArn', 'DeployPipelineRoleA1']);
    expect(roleNames({ ...verdict, logicalId: 'PipelineRoleB2', outputName: 'RoleArn' })).toEqual(['RoleArn', 'PipelineRoleB2']);
    expect(roleNames({ ...verdict, outputName: undefined })).toEqual(['DeployPipelineRoleA1']);
  });
});
