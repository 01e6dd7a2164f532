import { evaluatePermissions } from '../../lib/iam-evaluator/evaluate-permissions';

const LOOKUP = 'arn:aws:iam::111122223333:role/cdk-hnb659fds-lookup-role-111122223333-eu-west-1';
const DEPLOY = 'arn:aws:iam::111122223333:role/cdk-hnb659fds-deploy-role-111122223333-eu-west-1';
const assume = (resource: string) => ({ action: 'sts:AssumeRole', resource });
const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const allowLookup = { Sid: 'AssumeCdkLookupRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::111122223333:role/cdk-hnb659fds-lookup-role-111122223333-*' };

describe('evaluatePermissions', () => {
  test('a resource pattern allows what it matches and nothing else', () => {
    const documents = { Default: policy(allowLookup) };
    expect(evaluatePermissions(documents, assume(LOOKUP))).toEqual({ allowed: true, allowedBy: ['Default/AssumeCdkLookupRole'], deniedBy: [] });
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
    expect(evaluatePermissions(documents, assume(DEPLOY))).toEqual({ allowed: false, allowedBy: ['Admin/Statement[0]'], deniedBy: ['Guard/Statement[0]'] });
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

  test.each([
    ['a Principal', { ...allowLookup, Principal: '*' }, /an identity-based policy has no Principal/],
    ['both Action and NotAction', { ...allowLookup, NotAction: 's3:*' }, /exactly one of Action and NotAction/],
    ['no Resource', { Effect: 'Allow', Action: '*' }, /exactly one of Resource and NotResource/],
  ])('refuses a statement with %s instead of guessing', (_label, statement, message) => {
    expect(() => evaluatePermissions({ Bad: policy(statement) }, assume(LOOKUP))).toThrow(message);
  });
});
