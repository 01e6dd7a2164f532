import { Aws, Stack } from 'aws-cdk-lib';
import { BitbucketOidcProvider } from '../../lib/constructs/bitbucket-oidc-provider';
import { BitbucketPipelinesRole } from '../../lib/constructs/bitbucket-pipelines-role';
import { AUDIENCE, ENV_PROD, REPO_A } from '../support/synth';

describe('the constructs refuse props that would build a role nobody or everybody can assume', () => {
  function roleProps(overrides: Partial<ConstructorParameters<typeof BitbucketPipelinesRole>[2]>) {
    const stack = new Stack();
    const provider = new BitbucketOidcProvider(stack, 'Provider', { workspace: 'acme-corp', audiences: [AUDIENCE] });
    return () => new BitbucketPipelinesRole(stack, 'Role', { provider, workspace: 'acme-corp', audience: AUDIENCE, repositories: [REPO_A], ...overrides });
  }

  test.each([
    ['an empty repository list', { repositories: [] }, /at least one repository/],
    ['a repository UUID without braces', { repositories: ['3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8'] }, /lowercase UUIDs in braces/],
    ['an upper-case environment UUID', { environments: [ENV_PROD.toUpperCase()] }, /lowercase UUIDs in braces/],
  ])('role: %s', (_label, overrides, message) => {
    expect(roleProps(overrides)).toThrow(message);
  });

  test.each([
    ['no accounts', [], /cdkBootstrap.accounts must name at least one account; leave it out for the stack's own account/],
    ['an 11-digit ID and a wildcard', ['11111111111', '*'], /cdkBootstrap.accounts must be 12-digit AWS account IDs; got "11111111111", "\*"/],
    ['a repeat', ['111111111111', '111111111111'], /cdkBootstrap.accounts must name each account once; repeated "111111111111"/],
  ])('role: cdkBootstrap with %s', (_label, accounts, message) => {
    expect(roleProps({ cdkBootstrap: { qualifier: 'hnb659fds', accounts } })).toThrow(message);
  });

  test('role: cdkBootstrap accounts may be unresolved tokens (the deployer resolves them), and name exactly those accounts', () => {
    const stack = new Stack();
    const provider = new BitbucketOidcProvider(stack, 'Provider', { workspace: 'acme-corp', audiences: [AUDIENCE] });
    const role = new BitbucketPipelinesRole(stack, 'Role', { provider, workspace: 'acme-corp', audience: AUDIENCE, repositories: [REPO_A], cdkBootstrap: { qualifier: 'q1', access: 'lookup', accounts: [Aws.ACCOUNT_ID, '111111111111'] } });
    expect(role.cdkBootstrapRoleArns.map((arn) => JSON.stringify(stack.resolve(arn)))).toEqual([
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-q1-lookup-role-', { Ref: 'AWS::AccountId' }, '-*']] }),
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/cdk-q1-lookup-role-111111111111-*']] }),
    ]);
  });

  test.each([
    ['a workspace URL', { workspace: 'https://bitbucket.org/acme', audiences: [AUDIENCE] }, /workspace slug/],
    ['no audience', { workspace: 'acme-corp', audiences: [] }, /at least one audience/],
    ['an empty thumbprint list, which would set an empty ThumbprintList', { workspace: 'acme-corp', audiences: [AUDIENCE], thumbprints: [] }, /at least one thumbprint, or be left out/],
    ['a thumbprint twice, in another case', { workspace: 'acme-corp', audiences: [AUDIENCE], thumbprints: ['a'.repeat(40), 'A'.repeat(40)] }, /each thumbprint once, got "A{40}" twice/],
    ['six thumbprints (aws-cdk-lib refuses them)', { workspace: 'acme-corp', audiences: [AUDIENCE], thumbprints: Array.from({ length: 6 }, (_, n) => String(n).repeat(40)) }, /maximum number of thumbprints is 5/],
    ['a thumbprint of 39 characters (aws-cdk-lib refuses it)', { workspace: 'acme-corp', audiences: [AUDIENCE], thumbprints: ['a'.repeat(39)] }, /40/],
  ])('provider: %s', (_label, props, message) => {
    expect(() => new BitbucketOidcProvider(new Stack(), 'Provider', props)).toThrow(message);
  });
});
