#!/usr/bin/env node
/**
 * Why was a step refused? Decides, condition by condition, whether the roles that
 * this app synthesizes from the same context as the deploy would admit a step's
 * token. Offline; decodes only the token's payload and never prints the token.
 */
import { existsSync, readFileSync } from 'fs';
import { App } from 'aws-cdk-lib';
import { parseOidcConfig } from '../lib/config/parse-oidc-config';
import { BitbucketOidcStack } from '../lib/stacks/oidc-stack';
import { parseExplainArguments } from '../lib/explain/explain-arguments';
import { explainAccess, formatVerdict } from '../lib/explain/explain-access';
import { parseTokenClaims } from '../lib/bitbucket/token-claims';

function fail(problems: readonly string[]): never {
  process.stderr.write(problems.map((line) => `${line}\n`).join(''));
  process.exit(2);
}

const args = parseExplainArguments(process.argv.slice(2));
if (!args.ok) fail(args.problems);

function jsonFile(path: string): Record<string, unknown> {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
}
// The context the CDK CLI would use: cdk.json's, then cdk.context.json, then -c.
const cdkJsonContext = (jsonFile('cdk.json').context ?? {}) as Record<string, unknown>;
const context = { ...cdkJsonContext, ...jsonFile('cdk.context.json'), ...args.value.context };

const config = parseOidcConfig(context);
if (!config.ok) fail(['Invalid context:', ...config.problems.map((line) => `  ${line}`)]);

let input: string;
try {
  input = readFileSync(args.value.claimsFrom === '-' ? 0 : args.value.claimsFrom, 'utf8');
} catch {
  fail([`--claims: cannot read ${JSON.stringify(args.value.claimsFrom)}`]);
}
const claims = parseTokenClaims(input);
if (!claims.ok) fail(claims.problems);

const app = new App({ builtinCloudFormationValidation: false });
const stack = new BitbucketOidcStack(app, config.value.stackName, { config: config.value });
const template = app.synth().getStackArtifact(stack.artifactId).template as Parameters<typeof explainAccess>[0];
const question = {
  claims: claims.value,
  sourceIp: args.value.sourceIp,
  // The account only names ARNs: the provider and the token's issuer are named alike.
  target: { account: config.value.account ?? '123456789012', partition: 'aws', region: config.value.region ?? 'us-east-1' },
};

const shown = claims.value;
process.stdout.write(
  [
    `Token claims (the token itself is not shown):`,
    `  iss ${shown.iss}`,
    `  aud ${shown.aud}`,
    `  sub ${JSON.stringify(shown.sub)}`,
    ...(shown.repositoryUuid ? [`  repositoryUuid ${shown.repositoryUuid}`] : []),
    ...(shown.deploymentEnvironmentUuid ? [`  deploymentEnvironmentUuid ${shown.deploymentEnvironmentUuid}`] : []),
    ...(shown.branchName ? [`  branchName ${shown.branchName}`] : []),
    ...(args.value.sourceIp ? [`  source address ${args.value.sourceIp}`] : []),
    '',
  ].join('\n') + '\n',
);
const verdicts = explainAccess(template, question);
for (const verdict of verdicts) process.stdout.write(`${formatVerdict(verdict, question).join('\n')}\n`);
const admitted = verdicts.some((verdict) => verdict.admitted);
process.exitCode = admitted ? 0 : 1;
