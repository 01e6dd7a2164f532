#!/usr/bin/env node
/**
 * Which roles trust Bitbucket Pipelines, and how exposed each is: in the calling account,
 * in the accounts named, or across the organisation. Read only; credentials and region
 * come from the AWS SDK's default chain.
 */
import { runAuditCommand } from '../lib/aws/audit-command';

runAuditCommand(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTerminal: process.stderr.isTTY === true,
}).then((code) => {
  // Exit once both streams are flushed: calls stopped by a failed account leave the SDK's backoff timers behind.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
