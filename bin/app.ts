#!/usr/bin/env node
import 'source-map-support/register';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OidcConfig } from '../lib/config/oidc-config';
import { parseOidcConfig, stackSetStackNameFor } from '../lib/config/parse-oidc-config';
import { Parsed, parsed } from '../lib/problems/problem';
import { memberAccountTemplateBody } from '../lib/stacks/member-account-template';
import { BitbucketOidcStack } from '../lib/stacks/oidc-stack';
import { BitbucketOidcStackSetStack } from '../lib/stacks/oidc-stackset-stack';

const app = new App({
  // Bad context must leave no template behind, so synth only once every check has passed.
  autoSynth: false,
  // The built-in CloudFormation schema check costs ~2 s per synth; the tests run cfn-lint on every template shape instead.
  builtinCloudFormationValidation: false,
});

/** Adds the stack the configuration asks for; the StackSet's member template is checked before anything is added. */
function addStack(config: OidcConfig): Parsed<void> {
  if (config.stackSet === undefined) {
    new BitbucketOidcStack(app, config.stackName, { config });
    return parsed(undefined);
  }
  const member = memberAccountTemplateBody(config);
  if (!member.ok) return member;
  new BitbucketOidcStackSetStack(app, stackSetStackNameFor(config.workspace), { config: { ...config, stackSet: config.stackSet }, memberTemplateBody: member.value });
  return parsed(undefined);
}

const config = parseOidcConfig(app.node.getAllContext());
const added = config.ok ? addStack(config.value) : config;
if (added.ok) {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} else {
  process.stderr.write(`Invalid context (${added.problems.length} problem${added.problems.length === 1 ? '' : 's'}):\n`);
  process.stderr.write(added.problems.map((line) => `  ${line}\n`).join(''));
  process.exitCode = 1;
}
