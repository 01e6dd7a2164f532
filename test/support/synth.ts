import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseOidcConfig } from '../../lib/config/parse-oidc-config';
import { BitbucketOidcStack } from '../../lib/stacks/oidc-stack';

export const AUDIENCE = 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
export const ISSUER_HOST = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
export const REPO_A = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
export const REPO_B = '{0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}';
export const ENV_PROD = '{c0ffee00-1234-4abc-8def-0123456789ab}';
export const ENV_STAGING = '{5ca1ab1e-0000-4000-8000-00000000beef}';
export const BASE_CONTEXT = { workspace: 'acme-corp', audience: AUDIENCE, repositories: REPO_A };

/** Builds the stack from context exactly as bin/app.ts does, minus the CLI. */
export function stackFromContext(context: Record<string, unknown>): { app: App; stack: BitbucketOidcStack } {
  const result = parseOidcConfig(context);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new BitbucketOidcStack(app, result.value.stackName, { config: result.value });
  return { app, stack };
}

export function templateFromContext(context: Record<string, unknown>): Template {
  return Template.fromStack(stackFromContext(context).stack);
}
