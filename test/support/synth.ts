import { App, Stack } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { bitbucketIssuerHost } from '../../lib/bitbucket/issuer';
import { parseOidcConfig } from '../../lib/config/parse-oidc-config';
import { resolveIntrinsics } from '../../lib/iam-evaluator/template-intrinsics';
import { BitbucketOidcStack } from '../../lib/stacks/oidc-stack';

export const AUDIENCE = 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
export const ISSUER_HOST = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
export const REPO_A = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
export const REPO_B = '{0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}';
export const ENV_PROD = '{c0ffee00-1234-4abc-8def-0123456789ab}';
export const ENV_STAGING = '{5ca1ab1e-0000-4000-8000-00000000beef}';
export const BASE_CONTEXT = { workspace: 'acme-corp', audience: AUDIENCE, repositories: REPO_A };

// An App without an outdir synthesizes into a new os.tmpdir()/cdk.out* folder that nothing
// removes; these go to folders removed after each test file. The rehearsal scripts also use
// this module outside jest (no afterAll there): they only call templateFromContext, which
// removes its folder at once.
const outdirs: string[] = [];
const removeFolder = (folder: string) => rmSync(folder, { recursive: true, force: true });
if (typeof afterAll === 'function') afterAll(() => outdirs.splice(0).forEach(removeFolder));

function outdirRemovedAfterTests(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'test-synth-'));
  outdirs.push(outdir);
  return outdir;
}

/** Builds the stack from context exactly as bin/app.ts does, minus the CLI. */
export function stackFromContext(context: Record<string, unknown>, outdir = outdirRemovedAfterTests()): { app: App; stack: BitbucketOidcStack } {
  const result = parseOidcConfig(context);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const app = new App({ builtinCloudFormationValidation: false, outdir });
  const stack = new BitbucketOidcStack(app, result.value.stackName, { config: result.value });
  return { app, stack };
}

/** The template of the stack `build` adds to an App whose output folder is removed once the template is read. */
export function synthesizedTemplate(build: (outdir: string) => Stack): Template {
  const outdir = mkdtempSync(join(tmpdir(), 'test-synth-'));
  try {
    // Template.fromStack reads the template into memory, so the folder can go right away.
    return Template.fromStack(build(outdir));
  } finally {
    removeFolder(outdir);
  }
}

export function templateFromContext(context: Record<string, unknown>): Template {
  return synthesizedTemplate((outdir) => stackFromContext(context, outdir).stack);
}

/** A role of a synthesized template, resolved as IAM holds it once deployed in an account. */
export interface DeployedRole {
  readonly logicalId: string;
  readonly trust: unknown;
  /** Its inline policy documents (the CDK's DefaultPolicy, when it has permissions). */
  readonly inlinePolicies: unknown[];
  readonly managedPolicyArns: unknown;
  readonly maxSessionDuration: number;
}

/** The roles synthesized from `context`, by output name, as they would be in `account`. */
export function rolesAsDeployed(context: Record<string, unknown>, account: string, region = 'eu-west-1'): Record<string, DeployedRole> {
  const template = templateFromContext(context).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    Outputs: Record<string, { Value: { 'Fn::GetAtt'?: [string, string] } }>;
  };
  const providerId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::IAM::OIDCProvider') ?? '';
  const providerArn = `arn:aws:iam::${account}:oidc-provider/${bitbucketIssuerHost(String(context.workspace))}`;
  const target = { account, partition: 'aws', region, refs: { [providerId]: providerArn } };
  return Object.fromEntries(
    Object.entries(template.Outputs)
      .filter(([output]) => output.endsWith('RoleArn'))
      .map(([output, { Value }]) => {
        const logicalId = Value['Fn::GetAtt']?.[0] ?? '';
        const properties = template.Resources[logicalId].Properties;
        const policy = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: logicalId }]));
        return [
          output,
          {
            logicalId,
            trust: resolveIntrinsics(properties.AssumeRolePolicyDocument, target),
            inlinePolicies: policy === undefined ? [] : [resolveIntrinsics(policy.Properties.PolicyDocument, target)],
            managedPolicyArns: resolveIntrinsics(properties.ManagedPolicyArns ?? [], target),
            maxSessionDuration: properties.MaxSessionDuration as number,
          },
        ];
      }),
  );
}
