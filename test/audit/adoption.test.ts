import { providerAdoption } from '../../lib/audit/adoption';
import { RoleAudit } from '../../lib/audit/audit-role';
import { parseOidcConfig } from '../../lib/config/parse-oidc-config';

const AUDIENCE = 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
const ARN = 'arn:aws:iam::111122223333:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const PROVIDER = { arn: ARN, host: ARN.split(':oidc-provider/')[1], workspace: 'acme-corp', clientIds: [AUDIENCE] };
const role = (name: string, providers: string[]): RoleAudit => ({ arn: `arn:aws:iam::111122223333:role/${name}`, name, providers, findings: [], bootstrapReach: { deploy: { accounts: [], anyAccount: false }, lookup: { accounts: [], anyAccount: false } } });

describe('how the audit says to adopt a provider it found', () => {
  test('the context names the provider, its workspace and its audience, and this app accepts it as is', () => {
    const { context } = providerAdoption(PROVIDER, []);
    expect(context).toEqual({ workspace: 'acme-corp', audience: AUDIENCE, providerArn: ARN });
    const parsed = parseOidcConfig({ ...context, account: '111122223333', region: 'eu-west-1', repositories: '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}' });
    expect(parsed.ok && parsed.value.providerArn).toBe(ARN);
  });

  test("which of the account's roles trust it: only those whose trust the audit found admitting its tokens", () => {
    const other = ARN.replace('acme-corp', 'globex');
    const roles = [role('console-admin', [ARN]), role('globex-deploy', [other]), role('both', [other, ARN])];
    expect(providerAdoption(PROVIDER, roles).trustedBy).toEqual(['console-admin', 'both']);
    expect(providerAdoption(PROVIDER, []).trustedBy).toEqual([]);
  });

  test.each([
    ['several workspace audiences', [AUDIENCE, AUDIENCE.replace('8a9b', '0000')]],
    ['only a custom audience', ['my-audience']],
    ['no client ID at all', []],
  ])('%s: the audience is a placeholder, which synth refuses until it is filled in', (_label, clientIds) => {
    const { context } = providerAdoption({ ...PROVIDER, clientIds }, []);
    expect(context?.audience).toBe("<the workspace audience: one of the provider's client IDs>");
    expect(parseOidcConfig({ ...context, repositories: '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}' }).ok).toBe(false);
  });

  test('a workspace that is no Bitbucket slug (as IAM may hold it): no context to copy, the trusting roles still named', () => {
    const odd = ARN.replace('acme-corp', 'acme$(id)');
    const adoption = providerAdoption({ ...PROVIDER, arn: odd, workspace: 'acme$(id)' }, [role('console-admin', [odd])]);
    expect(adoption).toEqual({ trustedBy: ['console-admin'] });
  });
});
