import { spawnSync } from 'child_process';

/**
 * Whether an external tool (cfn-lint, moto_server, aws) is on PATH. A missing tool
 * skips its tests with a message locally; under CI=true it is a failure, so a CI
 * image without it cannot pass silently.
 */
export function toolAvailable(name: string, installHint: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8', timeout: 30_000 }).status === 0;
  if (found) return true;
  const message = `${name} is not on PATH: ${installHint}`;
  if (process.env.CI === 'true') throw new Error(`${message} (required under CI=true)`);
  process.stderr.write(`SKIPPED: ${message}\n`);
  return false;
}

/** An environment for the CDK CLI with no AWS credentials, telemetry, notices or version check. */
export function offlineCdkEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('CDK_')) env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    CDK_HOME: home,
    CDK_DISABLE_VERSION_CHECK: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
