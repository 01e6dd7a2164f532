import { evaluatePermissions } from '../../lib/iam-evaluator/evaluate-permissions';
import { chosenByCaller } from '../../lib/iam-evaluator/request-context';

const LOOKUP = 'arn:aws:iam::111122223333:role/cdk-hnb659fds-lookup-role-111122223333-eu-west-1';
const DEPLOY = 'arn:aws:iam::111122223333:role/cdk-hnb659fds-deploy-role-111122223333-eu-west-1';
const assume = (resource: string) => ({ action: 'sts:AssumeRole', resource });
const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const allowLookup = { Sid: 'AssumeCdkLookupRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::111122223333:role/cdk-hnb659fds-lookup-role-111122223333-*' };

describe('evaluatePermissions', () => {
  test('a resource pattern allows what it matches and nothing else', () => {
    const documents = { Default: policy(allowLookup) };
    expect(evaluatePermissions(documents, assume(LOOKUP))).toEqual({ allowed: true, allowedBy: [{ policy: 'Default', statement: 'AssumeCdkLookupRole' }], deniedBy: [], notModelled: [] });
    expect(evaluatePermissions(documents, assume(DEPLOY)).allowed).toBe(false);
    expect(evaluatePermissions(documents, { action: 'sts:AssumeRoleWithWebIdentity', resource: LOOKUP }).allowed).toBe(false);
  });

  test('resource patterns are case-sensitive; action names are not', () => {
    const documents = { Default: policy({ ...allowLookup, Action: 'STS:assumerole' }) };
    expect(evaluatePermissions(documents, assume(LOOKUP)).allowed).toBe(true);
    expect(evaluatePermissions(documents, assume(LOOKUP.toUpperCase())).allowed).toBe(false);
  });

  test('an explicit Deny in any policy wins', () => {
    const documents = { Admin: policy({ Effect: 'Allow', Action: '*', Resource: '*' }), Guard: policy({ Effect: 'Deny', Action: 'sts:*', Resource: DEPLOY }) };
    expect(evaluatePermissions(documents, assume(DEPLOY))).toEqual({
      allowed: false,
      allowedBy: [{ policy: 'Admin', statement: 'Statement[0]' }],
      deniedBy: [{ policy: 'Guard', statement: 'Statement[0]' }],
      notModelled: [],
    });
    expect(evaluatePermissions(documents, assume(LOOKUP)).allowed).toBe(true);
  });

  test('NotAction and NotResource allow everything they do not name', () => {
    const documents = { PowerUser: policy({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], NotResource: 'arn:aws:s3:::secret/*' }) };
    expect(evaluatePermissions(documents, assume(DEPLOY)).allowed).toBe(true);
    expect(evaluatePermissions(documents, { action: 'iam:CreateUser', resource: '*' }).allowed).toBe(false);
    expect(evaluatePermissions(documents, { action: 's3:GetObject', resource: 'arn:aws:s3:::secret/x' }).allowed).toBe(false);
  });

  test('conditions are decided against the request context', () => {
    const documents = { Tagged: policy({ ...allowLookup, Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }) };
    expect(evaluatePermissions(documents, { ...assume(LOOKUP), context: { 'aws:RequestedRegion': 'eu-west-1' } }).allowed).toBe(true);
    expect(evaluatePermissions(documents, assume(LOOKUP)).allowed).toBe(false);
  });

  test('a value the caller chooses: "*" limited to a region is still everything, a Deny it can step around does not hold', () => {
    const open = { unlistedKeys: chosenByCaller('the caller', true) };
    const regional = { Admin: policy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }) };
    expect(evaluatePermissions(regional, { action: 'iam:PutRolePolicy', resource: '*', ...open }).allowed).toBe(true);
    const guarded = { ...regional, Guard: policy({ Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }) };
    expect(evaluatePermissions(guarded, { action: 'iam:PutRolePolicy', resource: '*', ...open }).allowed).toBe(true);
    const always = { ...regional, Guard: policy({ Effect: 'Deny', Action: 'iam:*', Resource: '*' }) };
    expect(evaluatePermissions(always, { action: 'iam:PutRolePolicy', resource: '*', ...open }).allowed).toBe(false);
  });

  test.each([
    ['a Principal', { ...allowLookup, Principal: '*' }, /an identity-based policy has no Principal/],
    ['both Action and NotAction', { ...allowLookup, NotAction: 's3:*' }, /exactly one of Action and NotAction/],
    ['no Resource', { Effect: 'Allow', Action: '*' }, /exactly one of Resource and NotResource/],
    ['an operator it does not model', { ...allowLookup, Condition: { ArnLike: { 'aws:SourceArn': 'arn:*' } } }, /ArnLike is not modelled/],
    ['a policy variable', { ...allowLookup, Resource: 'arn:aws:iam::111122223333:role/${aws:username}' }, /policy variable/],
  ])('an Allow with %s counts as allowing and is reported, not guessed', (_label, statement, why) => {
    const decision = evaluatePermissions({ Bad: policy(statement) }, assume(LOOKUP));
    expect(decision.allowed).toBe(true);
    expect(decision.notModelled.map((entry) => [entry.policy, entry.effect])).toEqual([['Bad', 'Allow']]);
    expect(decision.notModelled[0].parts.join('; ')).toMatch(why);
  });

  test('a Deny it does not model does not deny; one whose modelled part rules it out is decided', () => {
    const admin = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
    const dated = policy({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } });
    const decision = evaluatePermissions({ admin, dated }, assume(DEPLOY));
    expect([decision.allowed, decision.notModelled.map((entry) => entry.effect)]).toEqual([true, ['Deny']]);
    const elsewhere = policy({ Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } });
    expect(evaluatePermissions({ admin, elsewhere }, assume(DEPLOY)).notModelled).toEqual([]);
  });
});
