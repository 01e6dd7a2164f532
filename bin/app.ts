#!/usr/bin/env node
import 'source-map-support/register';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseOidcConfig } from '../lib/config/parse-oidc-config';
import { addWorkspaceStack } from '../lib/stacks/workspace-stack';

const app = new App({
  // Bad context must leave no template behind, so synth only once every check has passed.
  autoSynth: false,
  // The built-in CloudFormation schema check costs ~2 s per synth; the tests run cfn-lint on every template shape instead.
  builtinCloudFormationValidation: false,
});

const config = parseOidcConfig(app.node.getAllContext());
const added = config.ok ? addWorkspaceStack(app, config.value) : config;
if (added.ok) {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} else {
  process.stderr.write(`Invalid context (${added.problems.length} problem${added.problems.length === 1 ? '' : 's'}):\n`);
  process.stderr.write(added.problems.map((line) => `  ${line}\n`).join(''));
  process.exitCode = 1;
}
