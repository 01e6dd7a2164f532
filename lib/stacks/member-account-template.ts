import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, DefaultStackSynthesizer } from 'aws-cdk-lib';
import { PATH_METADATA_ENABLE_CONTEXT } from 'aws-cdk-lib/cx-api';
import { OidcConfig } from '../config/oidc-config';
import { Parsed, parsed } from '../problems/problem';
import { BitbucketOidcStack } from './oidc-stack';

/** CloudFormation's limit for a StackSet's TemplateBody, in bytes. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/**
 * The provider-and-roles template each member account gets from the StackSet, as the
 * StackSet's TemplateBody: the single-account stack, synthesized on its own, without the
 * CDK bootstrap version check (member accounts need not be bootstrapped; StackSets
 * deploy the template themselves). One over CloudFormation's limit is a problem line,
 * found before the app writes anything.
 */
export function memberAccountTemplateBody(config: OidcConfig, context: Readonly<Record<string, unknown>> = {}): Parsed<string> {
  const body = JSON.stringify(memberAccountTemplate(config, context));
  const bytes = Buffer.byteLength(body);
  if (bytes <= MAX_TEMPLATE_BODY_BYTES) return parsed(body);
  const fit = Math.floor((config.roles.length * MAX_TEMPLATE_BODY_BYTES) / bytes);
  return {
    ok: false,
    problems: [
      `roles: ${config.roles.length} roles make a member template of ${bytes} bytes, over CloudFormation's ${MAX_TEMPLATE_BODY_BYTES} for a StackSet's template, ` +
        `so about ${fit} roles like these fit: give steps that need the same access one role with several repositories, ` +
        'or roll out fewer roles and add the others account by account (-c stackSuffix=Part2 -c providerArn=<that account\'s provider>)',
    ],
  };
}

/** `context` is the deploying app's (feature flags above all); under the CLI the App also reads it from the environment. */
function memberAccountTemplate(config: OidcConfig, context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // Its own output folder: under the CLI, an App would otherwise write into the real cdk.out.
  const outdir = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-member-'));
  try {
    const app = new App({
      builtinCloudFormationValidation: false,
      autoSynth: false,
      outdir,
      context: { ...context },
      // The CLI's context (feature flags above all) applies as it does to the single-account stack, but not its construct
      // paths: they name an app the member accounts never see, and cost an eighth of the 51,200 bytes.
      postCliContext: { [PATH_METADATA_ENABLE_CONTEXT]: false },
    });
    const stack = new BitbucketOidcStack(app, config.stackName, {
      // Environment-agnostic: every ARN names the member account, not the one the StackSet is deployed from.
      config: { ...config, stackSet: undefined, account: undefined, region: undefined },
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
