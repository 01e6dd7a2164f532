import { evaluateTrustPolicy, WebIdentityRequest } from '../../lib/iam-evaluator/evaluate-trust-policy';

const PROVIDER = 'arn:aws:iam::111122223333:oidc-provider/issuer.example/oidc';
const REQUEST: WebIdentityRequest = {
  providerArn: PROVIDER,
  action: 'sts:AssumeRoleWithWebIdentity',
  context: { 'issuer.example/oidc:aud': 'aud-1', 'issuer.example/oidc:sub': 'repo:step' },
};

function allow(extra: Record<string, unknown> = {}) {
  return {
    Effect: 'Allow',
    Principal: { Federated: PROVIDER },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { 'issuer.example/oidc:aud': 'aud-1' }, StringLike: { 'issuer.example/oidc:sub': 'repo:*' } },
    ...extra,
  };
}

const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

describe('evaluateTrustPolicy', () => {
  test('admits when principal, action and every condition match', () => {
    const decision = evaluateTrustPolicy(policy(allow()), REQUEST);
    expect(decision.admitted).toBe(true);
    expect(decision.statements[0].conditions.map((c) => [c.operator, c.holds])).toEqual([
      ['StringEquals', true],
      ['StringLike', true],
    ]);
  });

  test('one failing condition block refuses, and says which and what it expected', () => {
    const decision = evaluateTrustPolicy(policy(allow()), { ...REQUEST, context: { ...REQUEST.context, 'issuer.example/oidc:aud': 'aud-2' } });
    expect(decision.admitted).toBe(false);
    expect(decision.statements[0].conditions.find((c) => !c.holds)).toEqual({
      operator: 'StringEquals',
      key: 'issuer.example/oidc:aud',
      expected: ['aud-1'],
      actual: 'aud-2',
      holds: false,
    });
  });

  test('another provider does not match the federated principal', () => {
    const decision = evaluateTrustPolicy(policy(allow()), { ...REQUEST, providerArn: `${PROVIDER}-other` });
    expect([decision.admitted, decision.statements[0].principalMatches]).toEqual([false, false]);
  });

  test('another action does not match; action names are case-insensitive and may use wildcards', () => {
    expect(evaluateTrustPolicy(policy(allow()), { ...REQUEST, action: 'sts:AssumeRole' }).admitted).toBe(false);
    expect(evaluateTrustPolicy(policy(allow({ Action: 'STS:assumerolewith*' })), REQUEST).admitted).toBe(true);
  });

  test('an explicit Deny wins over an Allow; no statement at all refuses', () => {
    expect(evaluateTrustPolicy(policy(allow(), allow({ Effect: 'Deny', Condition: {} })), REQUEST).admitted).toBe(false);
    expect(evaluateTrustPolicy(policy(), REQUEST).admitted).toBe(false);
  });

  test('condition key names are case-insensitive, as in IAM', () => {
    const upper = allow({ Condition: { StringEquals: { 'ISSUER.example/oidc:AUD': 'aud-1' } } });
    expect(evaluateTrustPolicy(policy(upper), REQUEST).admitted).toBe(true);
  });

  test('a missing context key fails a positive condition', () => {
    expect(evaluateTrustPolicy(policy(allow()), { ...REQUEST, context: { 'issuer.example/oidc:aud': 'aud-1' } }).admitted).toBe(false);
  });

  test.each([
    ['NotPrincipal', allow({ NotPrincipal: { AWS: '*' } }), /NotPrincipal is not supported/],
    ['an operator it does not model', allow({ Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } }), /DateLessThan is not supported/],
    ['IfExists on Null', allow({ Condition: { NullIfExists: { k: 'true' } } }), /NullIfExists is not supported/],
    ['an unresolved intrinsic', allow({ Principal: { Federated: { Ref: 'Provider' } } }), /must hold plain values/],
    ['a bad effect', allow({ Effect: 'Maybe' }), /Effect must be Allow or Deny/],
  ])('refuses %s instead of guessing', (_label, statement, message) => {
    expect(() => evaluateTrustPolicy(policy(statement), REQUEST)).toThrow(message);
  });
});
