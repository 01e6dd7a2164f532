#!/usr/bin/env node
import 'source-map-support/register';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseOidcConfig, stackSetStackNameFor } from '../lib/config/parse-oidc-config';
import { BitbucketOidcStack } from '../lib/stacks/oidc-stack';
import { BitbucketOidcStackSetStack } from '../lib/stacks/oidc-stackset-stack';

const app = new App({
  // Bad context must leave no template behind, so synth only once the context is valid.
  autoSynth: false,
  // The built-in CloudFormation schema check costs ~2 s per synth; the tests run cfn-lint on every template shape instead.
  builtinCloudFormationValidation: false,
});
const result = parseOidcConfig(app.node.getAllContext());

if (result.ok) {
  const config = result.value;
  if (config.stackSet === undefined) {
    new BitbucketOidcStack(app, config.stackName, { config });
  } else {
    new BitbucketOidcStackSetStack(app, stackSetStackNameFor(config.workspace), { config: { ...config, stackSet: config.stackSet } });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} else {
  process.stderr.write(`Invalid context (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}):\n`);
  process.stderr.write(result.problems.map((line) => `  ${line}\n`).join(''));
  process.exitCode = 1;
}
