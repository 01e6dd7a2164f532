import { App, Stack } from 'aws-cdk-lib';
import { stackSetStackNameFor } from '../config/parse-oidc-config';
import { OidcConfig } from '../config/oidc-config';
import { Parsed, parsed } from '../problems/problem';
import { memberAccountTemplateBody } from './member-account-template';
import { BitbucketOidcStack } from './oidc-stack';
import { BitbucketOidcStackSetStack } from './oidc-stackset-stack';

/**
 * Adds to `app` the stack the configuration asks for: the single-account stack, or the
 * organisation-wide StackSet, whose member template is made (with the app's context) and
 * checked before anything is added, so a refusal leaves the app empty.
 */
export function addWorkspaceStack(app: App, config: OidcConfig): Parsed<Stack> {
  if (config.stackSet === undefined) return parsed(new BitbucketOidcStack(app, config.stackName, { config }));
  const member = memberAccountTemplateBody(config, app.node.getAllContext());
  if (!member.ok) return member;
  return parsed(
    new BitbucketOidcStackSetStack(app, stackSetStackNameFor(config.workspace), { config: { ...config, stackSet: config.stackSet }, memberTemplateBody: member.value }),
  );
}
