import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, DefaultStackSynthesizer } from 'aws-cdk-lib';
import { OidcConfig } from '../config/oidc-config';
import { BitbucketOidcStack } from './oidc-stack';

/**
 * The provider-and-roles template each member account gets from the StackSet: the
 * single-account stack, synthesized on its own, without the CDK bootstrap version
 * check (member accounts need not be bootstrapped; StackSets deploy the template
 * themselves).
 */
export function memberAccountTemplate(config: OidcConfig): Record<string, unknown> {
  // Its own output folder: under the CLI, an App would otherwise write into the real cdk.out.
  const outdir = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-member-'));
  try {
    const app = new App({ builtinCloudFormationValidation: false, autoSynth: false, outdir });
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
