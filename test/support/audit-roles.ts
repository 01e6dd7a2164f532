/**
 * Inputs for the audit's judgement tests: a Bitbucket provider, an admin policy, and roles
 * shaped as lib/aws reads them (first written for the red-team review's reproducers).
 */
import { auditRole } from '../../lib/audit/audit-role';
import { BitbucketProvider, RoleFacts } from '../../lib/audit/role-facts';
import { bitbucketProvidersTrustedBy } from '../../lib/audit/trusted-providers';

export const ACCOUNT = '111122223333';
export const HOST = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
export const AUDIENCE = 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
export const PROVIDER: BitbucketProvider = { arn: PROVIDER_ARN, host: HOST, workspace: 'acme-corp', clientIds: [AUDIENCE] };
export const REPO = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
export const ENV = '{c0ffee00-1234-4abc-8def-0123456789ab}';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/self`;

export const document = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
export const ADMIN = document({ Effect: 'Allow', Action: '*', Resource: '*' });
export const aud = { [`${HOST}:aud`]: AUDIENCE };
export const sub = (...patterns: string[]) => ({ [`${HOST}:sub`]: patterns });

/** The usual Bitbucket Allow statement, with the given Condition block. */
export const allow = (condition: Record<string, unknown>) => ({ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition });
/** A Deny for every principal and action under the given Condition block. */
export const deny = (condition: Record<string, unknown>) => ({ Effect: 'Deny', Principal: '*', Action: '*', Condition: condition });

export function role(trust: unknown, permissionDocuments: Record<string, unknown> = { admin: ADMIN }): RoleFacts {
  return { arn: ROLE_ARN, name: 'self', trust, maxSessionDurationSeconds: 3600, attachedPolicyArns: [], permissionDocuments };
}

/** `[severity, id]` of every finding, as the report shows them. */
export const findings = (facts: RoleFacts, provider = PROVIDER) => auditRole(facts, [provider]).findings.map((finding) => [finding.severity, finding.id]);
/** Whether the audit lists the role at all. */
export const listed = (facts: RoleFacts) => bitbucketProvidersTrustedBy(facts.trust, [PROVIDER]).length > 0;
/** The findings that make `npm run audit-roles` (default `--fail-on high`) exit 2. */
export const high = (facts: RoleFacts) => findings(facts).filter(([severity]) => severity === 'high');
export const mediumOrAbove = (facts: RoleFacts) => findings(facts).filter(([severity]) => severity !== 'low');
