import { AuditArguments, parseAuditArguments } from '../audit/audit-arguments';
import { auditRole } from '../audit/audit-role';
import { AuditedAccount, AuditReport, exitCodeOf, formatJson, formatTable } from '../audit/report';
import { quoted } from '../problems/quoted';
import { CallSettings, configuredRegion, maxAttemptsFrom, organizationsClient, stsClient } from './aws-clients';
import { AccountReadError } from './call-failure';
import { AccountTarget, callerIdentity, CallerIdentity, organizationAccounts } from './organization';
import { AccountRead, AuditProgress, readAccounts } from './read-accounts';

/** Where the command writes, and what it reads of its process. */
export interface AuditIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Only a terminal gets the progress line. */
  readonly stderrIsTerminal: boolean;
  /** One endpoint for every service (tests); the SDK honours `AWS_ENDPOINT_URL` by itself. @default the SDK's */
  readonly endpoint?: string;
}

const PREFIX = 'audit-roles: ';

/**
 * `npm run audit-roles`: which roles trust Bitbucket Pipelines, and how exposed each is, in
 * the calling account or in many. Read only. Exit 2 when a finding reaches --fail-on,
 * else 1 when an account was not read in full (or the run was refused), else 0.
 */
export async function runAuditCommand(argv: readonly string[], io: AuditIo): Promise<0 | 1 | 2> {
  const args = parseAuditArguments(argv);
  if (!args.ok) {
    io.stderr(args.problems.map((line) => `${PREFIX}${line}\n`).join(''));
    return 1;
  }
  const settings: CallSettings = {
    region: await configuredRegion(),
    timeoutSeconds: args.value.timeoutSeconds,
    maxAttempts: maxAttemptsFrom(io.env),
    ...(io.endpoint === undefined ? {} : { endpoint: io.endpoint }),
  };
  const sts = stsClient(settings, undefined);
  const progress = progressLine(io);
  try {
    const caller = await callerIdentity(sts, settings);
    const { targets, inactive } = await targetsOf(args.value, caller, settings);
    const reads = await readAccounts({
      caller,
      sts,
      targets,
      ...(args.value.roleName === undefined ? {} : { roleName: args.value.roleName }),
      ...(args.value.externalId === undefined ? {} : { externalId: args.value.externalId }),
      concurrentAccounts: args.value.concurrentAccounts,
      concurrentCalls: args.value.concurrentCalls,
      settings,
      onProgress: progress.show,
    });
    progress.clear();
    const report: AuditReport = { scope: args.value.scope.kind, accounts: [...reads.map(audited), ...inactive], failOn: args.value.failOn };
    const single = report.scope === 'caller';
    for (const account of report.accounts.filter((candidate) => candidate.status !== 'inactive')) {
      const named = single ? '' : `account ${account.id}${account.name === undefined ? '' : ` ${quoted(account.name)}`}: `;
      io.stderr(account.problems.map((problem) => `${PREFIX}${named}${problem}\n`).join(''));
    }
    // The calling account alone that could not be read prints its line and nothing else, as it always did.
    if (single && report.accounts.every((account) => account.status === 'failed')) return 1;
    io.stdout(args.value.json ? formatJson(report) : formatTable(report));
    return exitCodeOf(report);
  } catch (error) {
    progress.clear();
    if (!(error instanceof AccountReadError)) throw error;
    io.stderr(`${PREFIX}${error.message}\n`);
    return 1;
  } finally {
    sts.destroy();
  }
}

async function targetsOf(args: AuditArguments, caller: CallerIdentity, settings: CallSettings): Promise<{ targets: readonly AccountTarget[]; inactive: AuditedAccount[] }> {
  switch (args.scope.kind) {
    case 'caller':
      return { targets: [{ id: caller.account }], inactive: [] };
    case 'accounts':
      return { targets: args.scope.ids.map((id) => ({ id })), inactive: [] };
    case 'organization': {
      const client = organizationsClient(settings);
      try {
        const listed = await organizationAccounts(client, settings);
        const inactive = listed.inactive.map((account): AuditedAccount => ({ ...account, status: 'inactive', problems: [account.state], providers: [], roles: [], rolesListed: 0 }));
        return { targets: listed.active, inactive };
      } finally {
        client.destroy();
      }
    }
  }
}

/** The judgement of every role read; an attached policy whose document AWS refused makes the account read in part. */
function audited(read: AccountRead): AuditedAccount {
  const named = { id: read.account.id, ...(read.account.name === undefined ? {} : { name: read.account.name }) };
  if (read.status !== 'read') return { ...named, status: read.status, problems: [read.problem], providers: [], roles: [], rolesListed: 0 };
  const problems = read.trust.roles.flatMap(({ role }) =>
    role.attachedPolicyArns.filter((arn) => !(arn in role.permissionDocuments)).map((arn) => `role ${role.name}, policy ${arn}: ${role.unreadablePolicies?.[arn] ?? 'not read'} (taken to grant everything)`),
  );
  return {
    ...named,
    status: problems.length > 0 ? 'incomplete' : 'read',
    problems,
    providers: read.trust.providers,
    roles: read.trust.roles.map(({ role, providers }) => auditRole(role, providers)),
    rolesListed: read.trust.rolesListed,
  };
}

/** On a terminal, one line on stderr rewritten in place; nothing at all elsewhere. */
function progressLine(io: AuditIo): { show: (progress: AuditProgress) => void; clear: () => void } {
  if (!io.stderrIsTerminal) return { show: () => undefined, clear: () => undefined };
  let shown = false;
  return {
    show: ({ accountsDone, accountsTotal, rolesListed }) => {
      shown = true;
      io.stderr(`\r\x1b[2K${PREFIX}${accountsDone} of ${accountsTotal} account${accountsTotal === 1 ? '' : 's'} done, ${rolesListed.toLocaleString('en-US')} roles listed`);
    },
    clear: () => {
      if (shown) io.stderr('\r\x1b[2K');
      shown = false;
    },
  };
}
