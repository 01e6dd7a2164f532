#!/usr/bin/env node
/**
 * Which roles in this account trust Bitbucket Pipelines, and how exposed each is. Read
 * only; credentials and region come from the AWS SDK's default chain.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { parseAuditArguments } from '../lib/audit/audit-arguments';
import { auditRole } from '../lib/audit/audit-role';
import { AuditReport, exitCodeOf, formatJson, formatTable } from '../lib/audit/report';
import { AccountReadError, readBitbucketTrust } from '../lib/aws/iam-account';

/** IAM is global within a partition: without a configured region, the commercial one's endpoint serves. */
async function iamClient(): Promise<IAMClient> {
  const client = new IAMClient({});
  try {
    await client.config.region();
    return client;
  } catch {
    client.destroy();
    return new IAMClient({ region: 'us-east-1' });
  }
}

async function main(): Promise<number> {
  const args = parseAuditArguments(process.argv.slice(2));
  if (!args.ok) {
    process.stderr.write(args.problems.map((line) => `${line}\n`).join(''));
    return 1;
  }
  const client = await iamClient();
  try {
    const account = await readBitbucketTrust(client);
    const report: AuditReport = {
      providers: account.providers,
      roles: account.roles.map(({ role, providers }) => auditRole(role, providers)),
      rolesListed: account.rolesListed,
      failOn: args.value.failOn,
    };
    process.stdout.write(args.value.json ? formatJson(report) : formatTable(report));
    return exitCodeOf(report);
  } catch (error) {
    if (!(error instanceof AccountReadError)) throw error;
    process.stderr.write(`audit-roles: ${error.message}\n`);
    return 1;
  } finally {
    client.destroy();
  }
}

main().then((code) => (process.exitCode = code));
