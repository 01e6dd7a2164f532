/**
 * The kind of app an app team deploys with the sample pipeline: one CDK Stage per Bitbucket
 * deployment environment, each pinned to its own account, so that the staging step's
 * 'Staging/**' and the production step's 'Production/**' each select one stage's stacks.
 * The rehearsal deploys it through the sample pipeline's steps. Node runs it as is
 * (type stripping): no compiler in the loop.
 */
import { App, CfnOutput, Stack, Stage } from 'aws-cdk-lib';
import type { Environment } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';

/** What the app deploys in every stage: here one stack with one queue. */
class Service extends Stage {
  constructor(scope: App, id: string, env: Environment) {
    super(scope, id, { env });
    const stack = new Stack(this, 'Orders');
    const queue = new Queue(stack, 'Orders');
    // The ARN names the account the queue landed in, for the rehearsal to compare.
    new CfnOutput(stack, 'QueueArn', { value: queue.queueArn });
  }
}

const app = new App();
const accounts = app.node.getContext('accounts') as { staging: string; production: string };
const region = app.node.getContext('region') as string;
new Service(app, 'Staging', { account: accounts.staging, region });
new Service(app, 'Production', { account: accounts.production, region });
app.synth();
