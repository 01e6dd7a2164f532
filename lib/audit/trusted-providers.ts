import { evaluateTrustPolicy } from '../iam-evaluator/evaluate-trust-policy';
import { BitbucketProvider } from './role-facts';
import { CHOSEN_BY_THE_STEP, OUTSIDE_THE_TOKEN } from './step-request';

/**
 * The Bitbucket providers whose tokens a trust policy could admit: the roles the audit is
 * about. Decided with the evaluator on a web-identity call from each provider whose keys,
 * `aud` and `sub` included, are left to the caller as lib/audit/step-request.ts says, so a statement counts when its
 * principal names the provider (`Federated`, alone or in a list) or everyone (`"*"`,
 * `{"AWS": "*"}`), its action covers `sts:AssumeRoleWithWebIdentity`, and some request
 * could satisfy its conditions; an element it does not model counts (erring toward
 * exposure); a trust it cannot read at all is in scope when its text names the provider or
 * a `*` principal.
 */
export function bitbucketProvidersTrustedBy(trust: unknown, providers: readonly BitbucketProvider[]): BitbucketProvider[] {
  return providers.filter((provider) => {
    try {
      return evaluateTrustPolicy(trust, {
        providerArn: provider.arn,
        action: 'sts:AssumeRoleWithWebIdentity',
        // aud and sub too are left open here: some token of the workspace.
        context: CHOSEN_BY_THE_STEP,
        unlistedKeys: OUTSIDE_THE_TOKEN,
      }).admitted;
    } catch {
      // IAM holds no such document (an emulator may, with intrinsics left in): judge its text.
      const text = JSON.stringify(trust);
      return text.includes(provider.arn) || /"Principal":"\*"|"AWS":"\*"|"AWS":\[[^\]]*"\*"/.test(text);
    }
  });
}
