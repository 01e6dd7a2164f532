import { evaluateTrustPolicy, WebIdentityRequest } from '../../lib/iam-evaluator/evaluate-trust-policy';
import { chosenByCaller } from '../../lib/iam-evaluator/request-context';

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
      outcome: 'fails',
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
    ['NotPrincipal', allow({ NotPrincipal: { AWS: '*' } }), /NotPrincipal is not modelled/],
    ['an operator it does not model', allow({ Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } }), /DateLessThan is not modelled/],
    ['IfExists on Null', allow({ Condition: { NullIfExists: { k: 'true' } } }), /NullIfExists is not modelled/],
    ['an unresolved intrinsic', allow({ Principal: { Federated: { Ref: 'Provider' } } }), /must hold plain values/],
    ['a policy variable', allow({ Condition: { StringLike: { 'issuer.example/oidc:sub': '${aws:username}' } } }), /policy variable/],
    ['a wildcard Federated principal', allow({ Principal: { Federated: '*' } }), /wildcard in Federated/],
  ])('%s: an Allow it does not model counts as admitting, conservatively, and says why', (_label, statement, why) => {
    const decision = evaluateTrustPolicy(policy(statement), REQUEST);
    expect([decision.admitted, decision.conservative, decision.statements[0].match]).toEqual([true, true, 'not-modelled']);
    expect(decision.statements[0].notModelled.join('; ')).toMatch(why);
  });

  test('a Deny it does not model is taken as not applying; a decided statement beside it still decides', () => {
    const undatedDeny = allow({ Effect: 'Deny', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } });
    const decision = evaluateTrustPolicy(policy(allow(), undatedDeny), REQUEST);
    expect([decision.admitted, decision.conservative]).toEqual([true, true]);
    // A modelled condition that fails decides the unmodelled statement too.
    const arnLikeService = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*' } } };
    const beside = evaluateTrustPolicy(policy(arnLikeService, allow()), REQUEST);
    expect([beside.admitted, beside.conservative, beside.statements[0].match]).toEqual([true, false, 'does-not-apply']);
    const refused = evaluateTrustPolicy(policy(arnLikeService, allow()), { ...REQUEST, context: { ...REQUEST.context, 'issuer.example/oidc:sub': 'other:step' } });
    expect([refused.admitted, refused.conservative]).toEqual([false, false]);
  });

  test('a malformed document throws', () => {
    expect(() => evaluateTrustPolicy({ Version: '2012-10-17' }, REQUEST)).toThrow(/Statement is missing/);
    expect(() => evaluateTrustPolicy(policy(allow({ Effect: 'Maybe' })), REQUEST)).toThrow(/Effect must be Allow or Deny/);
  });
});

describe('principals that name a web-identity caller', () => {
  test.each([
    ['"*"', '*', true],
    ['{"AWS": "*"} (equivalent to "*" for anonymous callers)', { AWS: '*' }, true],
    ['an AWS list holding "*"', { AWS: ['arn:aws:iam::111122223333:root', '*'] }, true],
    ['a Federated list holding the provider', { Federated: ['arn:aws:iam::111122223333:oidc-provider/other', PROVIDER] }, true],
    ['an account', { AWS: 'arn:aws:iam::111122223333:root' }, false],
    ['a service', { Service: 'lambda.amazonaws.com' }, false],
    ['another provider', { Federated: `${PROVIDER}-other` }, false],
  ])('%s: %s', (_label, principal, expected) => {
    expect(evaluateTrustPolicy(policy(allow({ Principal: principal })), REQUEST).admitted).toBe(expected);
  });

  test('NotAction is modelled: everything it does not name', () => {
    const notAction = (names: string) => {
      const { Action: _action, ...rest } = allow({ NotAction: names });
      return policy(rest);
    };
    expect(evaluateTrustPolicy(notAction('sts:AssumeRole'), REQUEST).admitted).toBe(true);
    expect(evaluateTrustPolicy(notAction('sts:AssumeRoleWith*'), REQUEST).admitted).toBe(false);
  });
});

describe('keys the caller chooses: can some request get in?', () => {
  const OPEN: WebIdentityRequest = {
    ...REQUEST,
    context: { ...REQUEST.context, 'aws:SecureTransport': 'true', 'aws:SourceIp': chosenByCaller('the caller') },
    unlistedKeys: chosenByCaller('the caller', true),
  };
  const withCondition = (condition: Record<string, unknown>, effect = 'Allow') =>
    effect === 'Allow'
      ? policy(allow({ Condition: { ...allow().Condition, ...condition } }))
      : policy(allow(), allow({ Effect: 'Deny', Condition: condition }));

  test.each([
    ['SecureTransport true (STS always has it)', { Bool: { 'aws:SecureTransport': 'true' } }, true],
    ['SecureTransport false', { Bool: { 'aws:SecureTransport': 'false' } }, false],
    ['a source range (not a repository restriction)', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, true],
    ['a narrow source range', { IpAddress: { 'aws:SourceIp': '203.0.113.7/32' } }, true],
    ['no source address (STS always sends one)', { Null: { 'aws:SourceIp': 'true' } }, false],
    ['a session name', { StringLike: { 'sts:RoleSessionName': 'release-*' } }, true],
    ['a region', { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } }, true],
    ['a key the request does not list', { StringEquals: { 'aws:PrincipalTag/team': 'x' } }, true],
  ])('Allow with %s: admitted %s', (_label, condition, expected) => {
    const decision = evaluateTrustPolicy(withCondition(condition), OPEN);
    expect([decision.admitted, decision.conservative]).toEqual([expected, false]);
  });

  test.each([
    ['a Deny the caller can step around (an address range)', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, true],
    ['a Deny on what STS always sends', { Bool: { 'aws:SecureTransport': 'true' } }, false],
    ['a Deny on every address', { IpAddress: { 'aws:SourceIp': ['0.0.0.0/0', '::/0'] } }, true],
    ['a Deny when the source address is present', { Null: { 'aws:SourceIp': 'false' } }, false],
  ])('%s: admitted %s', (_label, condition, expected) => {
    expect(evaluateTrustPolicy(withCondition(condition, 'Deny'), OPEN).admitted).toBe(expected);
  });

  test('the token keys stay decided: another repository is refused whatever the caller chooses', () => {
    const other = { ...OPEN, context: { ...OPEN.context, 'issuer.example/oidc:sub': 'other:step' } };
    expect(evaluateTrustPolicy(policy(allow()), other).admitted).toBe(false);
  });
});
