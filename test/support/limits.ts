import { App, DefaultStackSynthesizer } from 'aws-cdk-lib';
import { parseOidcConfig } from '../../lib/config/parse-oidc-config';
import { BitbucketOidcStack } from '../../lib/stacks/oidc-stack';
import { AUDIENCE, synthesizedTemplate } from './synth';

/** A distinct repository UUID for each n, all of one length. */
export function repositoryUuid(n: number): string {
  return `{${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`;
}

/** `count` roles of one shape: an id of fixed width, one repository, the lookup role. */
export function lookupRoles(count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, n) => ({ id: `Team${String(n).padStart(3, '0')}`, repositories: [repositoryUuid(n)], cdkAccess: 'lookup' }));
}

export const ROLLOUT = { stackSetOrganizationalUnits: 'ou-ab12-34cd56ef', stackSetRegion: 'eu-west-1' };

/** The bytes of the member template, measured as the StackSet would hold it: the single-account template, minified, without the bootstrap check. */
function memberBytes(roles: Array<Record<string, unknown>>): number {
  const config = parseOidcConfig({ workspace: 'acme-corp', audience: AUDIENCE, roles, ...ROLLOUT });
  if (!config.ok) throw new Error(config.problems.join('\n'));
  const template = synthesizedTemplate(
    (outdir) =>
      new BitbucketOidcStack(new App({ builtinCloudFormationValidation: false, outdir }), config.value.stackName, {
        config: { ...config.value, stackSet: undefined },
        synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      }),
  );
  return Buffer.byteLength(JSON.stringify(template.toJSON()));
}

/**
 * Roles whose StackSet member template is exactly `bytes` long (StackSet context in
 * ROLLOUT): as many lookup roles as fit, then explicit role names, each of which adds
 * its own length and a constant to the template, to fill the rest byte for byte.
 */
export function rolesOfMemberSize(bytes: number): Array<Record<string, unknown>> {
  const one = memberBytes(lookupRoles(1));
  const perRole = memberBytes(lookupRoles(2)) - one;
  const perName = memberBytes([{ ...lookupRoles(1)[0], roleName: 'x' }]) - one - 1;
  const count = Math.floor((bytes - (one - perRole) - 2 * (perName + 1)) / perRole);
  const roles = lookupRoles(count);
  let rest = bytes - (one - perRole) - count * perRole;
  for (let i = 0; rest > 0; i++) {
    // A name never leaves a rest too small for another one.
    const length = rest - perName <= 64 ? rest - perName : Math.min(64, rest - 2 * perName - 1);
    if (length < 1) throw new Error(`cannot fill ${rest} bytes with a role name`);
    roles[i] = { ...roles[i], roleName: String.fromCharCode(97 + i).repeat(length) };
    rest -= perName + length;
  }
  const made = memberBytes(roles);
  if (made !== bytes) throw new Error(`made a member template of ${made} bytes, not ${bytes}`);
  return roles;
}
