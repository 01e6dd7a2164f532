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

describe("a role with allowedIpRanges asked about without the step's address", () => {
  // AWS, IAM User Guide, aws:SourceIp: a real STS call carries the step's address (none through a VPC endpoint), so
  // without --source-ip the verdict depends on it; explain errs toward exposure and says why (red-team finding 9).
  const template = templateFromContext({
    workspace: 'acme-corp',
    audience: AUDIENCE,
    roles: [{ id: 'Deploy', repositories: [REPO_A], environments: [ENV_PROD], allowedIpRanges: ['203.0.113.0/25'] }],
  }).toJSON() as Template;

  test('not a plain REFUSED: admitted, with a note saying what was assumed and how to ask', () => {
    const [verdict] = explainAccess(template, question);
    // With the address it is decided either way:
    expect(explainAccess(template, { ...question, sourceIp: '203.0.113.9' })[0].admitted).toBe(true);
    expect(explainAccess(template, { ...question, sourceIp: '203.0.113.200' })[0].admitted).toBe(false);
    // Without it, the verdict must not be an undecorated refusal.
    expect(verdict.admitted || verdict.decision.conservative).toBe(true);
    expect(verdict.admitted).toBe(true);
    const lines = formatVerdict(verdict, question);
    expect(lines).toContain(
      "  note admitted only from some source addresses (IpAddress aws:SourceIp \"203.0.113.0/25\") and --source-ip was not given: this verdict assumes the step's egress address is among them; ask again with --source-ip <address> to decide it",
    );
    expect(lines).toContain("  ok   IpAddress aws:SourceIp: expected \"203.0.113.0/25\"; the request has the step's address, which --source-ip did not give (taken as any)");
  });

  test('with the address given, or refused for another reason, no such note', () => {
    const given = explainAccess(template, { ...question, sourceIp: '203.0.113.9' })[0];
    expect(given.facts.map((fact) => fact.kind)).not.toContain('source-address');
    const otherRepository = explainAccess(template, { ...question, claims: { ...question.claims, sub: `{0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}:${ENV_PROD}:${STEP}` } })[0];
    expect([otherRepository.admitted, otherRepository.facts.map((fact) => fact.kind)]).toEqual([false, ['provider-audience', 'bootstrap-reach']]);
  });
});
