/**
 * The evaluator against an independent IAM simulator (@cloud-copilot/iam-simulate, run
 * with runUnsafeSimulation: its runSimulation drops context keys its data does not list,
 * such as `<issuer>:sub`). Random trust policies and permission policies, Bitbucket-shaped
 * requests, from a seeded generator; and the decisions over every value (a trust over every
 * Bitbucket sub, a permission over every resource): their witnesses must be admitted by the
 * simulator, and when there is none no sampled value may be. A failure prints the seed and the case, and
 * `IAM_DIFF_SEED=<seed>` replays it (`IAM_DIFF_SEED=random` explores new cases).
 */
import { createValidatedPolicy, validateIdentityPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { evaluatePermissions, PermissionRequest } from '../../lib/iam-evaluator/evaluate-permissions';
import { evaluateTrustPolicy, WebIdentityRequest } from '../../lib/iam-evaluator/evaluate-trust-policy';
import { chosenByCaller } from '../../lib/iam-evaluator/request-context';
import { PatternProduct } from '../../lib/iam-evaluator/string-language';
import { TrustOverValues } from '../../lib/iam-evaluator/trust-over-values';
import { PermissionReach } from '../../lib/iam-evaluator/evaluate-permissions';
import { bitbucketSubjects } from '../../lib/audit/subject-language';
import { permissionLevel } from '../../lib/audit/permission-level';
import { generator, Generator } from '../support/seeded';

const SEED = process.env.IAM_DIFF_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.IAM_DIFF_SEED ?? 20261202);
const TRUST_CASES = 2000;
const PERMISSION_CASES = 2000;
const OPEN_CASES = 500;
const OVER_VALUES_CASES = 600;
const REACH_CASES = 150;

const ACCOUNT = '111122223333';
const HOST = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/target`;
const AUD = 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
const REPO = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
const OTHER_REPO = '{0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}';
const ENV = '{c0ffee00-1234-4abc-8def-0123456789ab}';
const STEP = '{a0d17000-0000-4000-8000-00000000f001}';

const SUBJECTS = [`${REPO}:${STEP}`, `${REPO}:${ENV}:${STEP}`, `${OTHER_REPO}:${STEP}`, `${OTHER_REPO}:${ENV}:${STEP}`, `${REPO.toUpperCase()}:${STEP}`, ''];
const SUB_PATTERNS = [`${REPO}:*`, `${REPO}:${ENV}:*`, '{*}:*', '*', `${OTHER_REPO}:*`, `{3f1c*}:*`, `${REPO}:?*`, `${REPO}:${STEP}`, `*:${ENV}:*`, '', '?'];
const AUDIENCES = [AUD, 'sts.amazonaws.com', AUD.toUpperCase()];
const ADDRESSES = ['203.0.113.9', '198.51.100.7', '10.1.2.3', '2001:db8::5', '2001:db9::1'];
const RANGES = ['203.0.113.0/24', '198.51.100.7', '10.0.0.0/8', '2001:db8::/32', '0.0.0.0/0', '::/0', '198.51.100.0/31'];
const SESSION_NAMES = ['acme-build-42', 'release', 'x'];

const STRING_OPERATORS = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'];
const qualified = (rng: Generator, base: string) => `${rng.pick(['', '', '', 'ForAnyValue:', 'ForAllValues:'])}${base}${rng.pick(['', '', 'IfExists'])}`;

function randomCondition(rng: Generator): Record<string, Record<string, string[]>> {
  const condition: Record<string, Record<string, string[]>> = {};
  for (let count = Math.floor(rng.next() * 4); count > 0; count--) {
    const kind = rng.pick(['sub', 'sub', 'aud', 'ip', 'secure', 'null', 'session']);
    let operator: string;
    let key: string;
    let values: string[];
    if (kind === 'sub' || kind === 'aud') {
      operator = qualified(rng, rng.pick(STRING_OPERATORS));
      key = `${HOST}:${kind}`;
      values = rng.some(kind === 'sub' ? SUB_PATTERNS : AUDIENCES, 3);
    } else if (kind === 'ip') {
      operator = `${rng.pick(['IpAddress', 'NotIpAddress'])}${rng.pick(['', 'IfExists'])}`;
      key = 'aws:SourceIp';
      values = rng.some(RANGES, 3);
    } else if (kind === 'secure') {
      operator = `Bool${rng.pick(['', 'IfExists'])}`;
      key = 'aws:SecureTransport';
      values = [rng.pick(['true', 'false'])];
    } else if (kind === 'null') {
      operator = 'Null';
      key = rng.pick(['aws:SourceIp', `${HOST}:sub`, 'sts:RoleSessionName']);
      values = [rng.pick(['true', 'false'])];
    } else {
      operator = qualified(rng, rng.pick(STRING_OPERATORS));
      key = 'sts:RoleSessionName';
      values = rng.some(['acme-*', 'release', '*', 'x'], 2);
    }
    condition[operator] = { ...(condition[operator] ?? {}), [key]: values };
  }
  return condition;
}

function randomTrust(rng: Generator): { Version: string; Statement: Array<Record<string, unknown>> } {
  return {
    Version: '2012-10-17',
    Statement: Array.from({ length: 1 + Math.floor(rng.next() * 3) }, () => {
      const actions = rng.some(['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRole', 'sts:*', '*', 'sts:AssumeRoleWith*', 'sts:TagSession'], 2);
      const condition = randomCondition(rng);
      return {
        Effect: rng.next() < 0.7 ? 'Allow' : 'Deny',
        Principal: rng.pick<unknown>([{ Federated: PROVIDER }, { Federated: PROVIDER }, { Federated: [`${PROVIDER}-other`, PROVIDER] }, { Federated: `${PROVIDER}-other` }, '*', { AWS: '*' }, { Service: 'lambda.amazonaws.com' }]),
        ...(rng.next() < 0.85 ? { Action: actions } : { NotAction: actions }),
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      };
    }),
  };
}

function randomWebIdentityRequest(rng: Generator): WebIdentityRequest {
  const sourceIp = rng.next() < 0.9 ? rng.pick(ADDRESSES) : undefined;
  return {
    providerArn: PROVIDER,
    action: 'sts:AssumeRoleWithWebIdentity',
    context: {
      [`${HOST}:aud`]: rng.pick(AUDIENCES),
      [`${HOST}:sub`]: rng.pick(SUBJECTS),
      'aws:SecureTransport': 'true',
      ...(sourceIp === undefined ? {} : { 'aws:SourceIp': sourceIp }),
      ...(rng.next() < 0.8 ? { 'sts:RoleSessionName': rng.pick(SESSION_NAMES) } : {}),
    },
  };
}

/** The simulator's answer for a concrete context (every value a string). */
function simulate(trust: unknown, principal: string, action: string, context: Record<string, string>, identityPolicies: Record<string, unknown> = {}, resource = ROLE): boolean | 'invalid' {
  const resourcePolicy = trust === undefined ? undefined : createValidatedPolicy(trust, validateTrustPolicy, { name: 'trust' });
  const identity = Object.entries(identityPolicies).map(([name, policy]) => ({ name, policy: createValidatedPolicy(policy, validateIdentityPolicy, { name }) }));
  if ((resourcePolicy?.errors.length ?? 0) > 0 || identity.some(({ policy }) => policy.errors.length > 0)) return 'invalid';
  const result = runUnsafeSimulation(
    {
      request: { principal, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  return result === 'Allowed';
}

/**
 * Where the simulator departs from AWS's documentation, and the case is left out:
 * - an IPv4 `/0` range acts as a `/32` in the simulator (IAM User Guide, "IP address
 *   condition operators": a CIDR range; 0.0.0.0/0 holds every IPv4 address);
 * - `NotIpAddress` with a bare IPv4 value against an IPv6 source answers false (same page:
 *   a bare address is a /32, which no IPv6 address is in, so NotIpAddress holds).
 */
function simulatorBug(document: unknown, sourceIp: string | undefined): string | undefined {
  const text = JSON.stringify(document);
  if (/"\d+\.\d+\.\d+\.\d+\/0"/.test(text)) return 'IPv4 /0';
  const notIp = (document as { Statement: Array<{ Condition?: Record<string, Record<string, string[]>> }> }).Statement.some((statement) =>
    Object.entries(statement.Condition ?? {}).some(([operator, keys]) => operator.startsWith('NotIpAddress') && Object.values(keys).flat().some((value) => /^\d+\.\d+\.\d+\.\d+$/.test(value))),
  );
  if (notIp && sourceIp?.includes(':')) return 'NotIpAddress bare IPv4 against IPv6';
  return undefined;
}

const concrete = (context: WebIdentityRequest['context']): Record<string, string> =>
  Object.fromEntries(Object.entries(context).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));

describe(`the evaluator agrees with @cloud-copilot/iam-simulate (seed ${SEED}; replay with IAM_DIFF_SEED=${SEED})`, () => {
  test(`${TRUST_CASES} random trust policies, each against Bitbucket-shaped requests`, () => {
    const rng = generator(SEED);
    const disagreements: string[] = [];
    let compared = 0;
    let skipped = 0;
    for (let index = 0; index < TRUST_CASES && disagreements.length < 5; index++) {
      const trust = randomTrust(rng);
      for (let request = 0; request < 3; request++) {
        const question = randomWebIdentityRequest(rng);
        const ours = evaluateTrustPolicy(trust, question);
        const sourceIp = question.context['aws:SourceIp'];
        if (ours.statements.some((statement) => statement.notModelled.length > 0) || simulatorBug(trust, typeof sourceIp === 'string' ? sourceIp : undefined) !== undefined) {
          skipped++;
          continue;
        }
        const theirs = simulate(trust, PROVIDER, question.action, concrete(question.context));
        if (theirs === 'invalid') {
          skipped++;
          continue;
        }
        compared++;
        if (theirs !== ours.admitted) disagreements.push(`case ${index}: evaluator ${ours.admitted}, simulator ${theirs}\n  trust ${JSON.stringify(trust)}\n  context ${JSON.stringify(question.context)}`);
      }
    }
    process.stdout.write(`trust: seed ${SEED}, ${compared} requests compared, ${skipped} left out (not modelled, simulator bug or invalid)\n`);
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(TRUST_CASES);
  });

  test('keys the caller chooses: whenever the simulator admits some concrete choice, the open question admits too', () => {
    const rng = generator(SEED + 1);
    const missed: string[] = [];
    let checked = 0;
    for (let index = 0; index < OPEN_CASES && missed.length < 5; index++) {
      const trust = randomTrust(rng);
      const base = randomWebIdentityRequest(rng);
      const open: WebIdentityRequest = {
        ...base,
        context: { [`${HOST}:aud`]: base.context[`${HOST}:aud`], [`${HOST}:sub`]: base.context[`${HOST}:sub`], 'aws:SecureTransport': 'true', 'aws:SourceIp': chosenByCaller('the caller'), 'sts:RoleSessionName': chosenByCaller('the caller') },
        unlistedKeys: chosenByCaller('the caller', true),
      };
      const ours = evaluateTrustPolicy(trust, open).admitted;
      const choices = ADDRESSES.flatMap((sourceIp) => SESSION_NAMES.map((name) => ({ ...concrete(open.context), 'aws:SourceIp': sourceIp, 'sts:RoleSessionName': name })));
      if (choices.some((choice) => simulatorBug(trust, choice['aws:SourceIp']) !== undefined)) continue;
      const admitting = choices.find((choice) => simulate(trust, PROVIDER, open.action, choice) === true);
      checked++;
      if (admitting !== undefined && !ours) missed.push(`case ${index}: the simulator admits ${JSON.stringify(admitting)}; the open question refuses\n  trust ${JSON.stringify(trust)}`);
    }
    process.stdout.write(`open keys: seed ${SEED + 1}, ${checked} trust policies checked\n`);
    expect(missed).toEqual([]);
  });

  test(`${PERMISSION_CASES} random permission policies, each against calls of the kinds the audit asks about`, () => {
    const rng = generator(SEED + 2);
    const actions = ['iam:PutRolePolicy', 'iam:PassRole', 'sts:AssumeRole', 'lambda:CreateFunction', 's3:GetObject'];
    const resources = [ROLE, `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-eu-west-1`, `arn:aws:iam::${ACCOUNT}:role/other`];
    const patterns = ['*', `arn:aws:iam::${ACCOUNT}:role/*`, `arn:aws:iam::${ACCOUNT}:role/cdk-*-deploy-role-*`, ROLE, `arn:aws:iam::${ACCOUNT}:role/t?rget`, 'arn:aws:s3:::bucket/*'];
    const actionPatterns = [...actions, 'iam:*', 'iam:Put*', '*', 'sts:*', 'lambda:*', 's3:*', 'IAM:putrolepolicy'];
    const disagreements: string[] = [];
    let compared = 0;
    for (let index = 0; index < PERMISSION_CASES && disagreements.length < 5; index++) {
      const documents = Object.fromEntries(
        Array.from({ length: 1 + Math.floor(rng.next() * 2) }, (_, policy) => [
          `policy${policy}`,
          {
            Version: '2012-10-17',
            Statement: Array.from({ length: 1 + Math.floor(rng.next() * 3) }, () => {
              const region = rng.next() < 0.2 ? { Condition: { [rng.pick(['StringEquals', 'StringNotEquals'])]: { 'aws:RequestedRegion': rng.pick(['eu-west-1', 'us-east-1']) } } } : {};
              return {
                Effect: rng.next() < 0.75 ? 'Allow' : 'Deny',
                [rng.next() < 0.85 ? 'Action' : 'NotAction']: rng.some(actionPatterns, 3),
                [rng.next() < 0.9 ? 'Resource' : 'NotResource']: rng.some(patterns, 2),
                ...region,
              };
            }),
          },
        ]),
      );
      const request: PermissionRequest = { action: rng.pick(actions), resource: rng.pick(resources), context: { 'aws:RequestedRegion': rng.pick(['eu-west-1', 'us-east-1']) } };
      const ours = evaluatePermissions(documents, request);
      if (ours.notModelled.length > 0) continue;
      const theirs = simulate(undefined, `arn:aws:iam::${ACCOUNT}:role/caller`, request.action, concrete(request.context ?? {}), documents, request.resource);
      if (theirs === 'invalid') continue;
      compared++;
      if (theirs !== ours.allowed) disagreements.push(`case ${index}: evaluator ${ours.allowed}, simulator ${theirs}\n  policies ${JSON.stringify(documents)}\n  request ${JSON.stringify(request)}`);
    }
    process.stdout.write(`permissions: seed ${SEED + 2}, ${compared} calls compared\n`);
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(PERMISSION_CASES / 2);
  });

  test(`${OVER_VALUES_CASES} random trusts decided over every sub: the witness is admitted by the simulator, and when there is none the simulator admits no sampled sub`, () => {
    const rng = generator(SEED + 3);
    const subKey = `${HOST}:sub`;
    const problems: string[] = [];
    let witnessed = 0;
    let empty = 0;
    for (let index = 0; index < OVER_VALUES_CASES && problems.length < 5; index++) {
      const trust = randomTrust(rng);
      const base = randomWebIdentityRequest(rng);
      const sourceIp = base.context['aws:SourceIp'];
      if (simulatorBug(trust, typeof sourceIp === 'string' ? sourceIp : undefined) !== undefined) continue;
      // Every key concrete but sub, which is decided over every Bitbucket-shaped value.
      const decision = evaluateTrustPolicy(trust, { ...base, context: { ...base.context, [subKey]: chosenByCaller('decided over every value') } });
      if (decision.statements.some((statement) => statement.notModelled.length > 0)) continue;
      const values = new TrustOverValues(decision, [subKey]);
      const admits = (found: readonly boolean[]) => values.admits((at) => values.holdsOn(at, subKey, found));
      const witness = new PatternProduct(bitbucketSubjects(), values.patterns(subKey)).witness(admits);
      const concreteContext = concrete(base.context);
      if (witness !== undefined) {
        witnessed++;
        const theirs = simulate(trust, PROVIDER, base.action, { ...concreteContext, [subKey]: witness });
        if (theirs !== 'invalid' && theirs !== true) problems.push(`case ${index}: witness ${witness} refused by the simulator\n  trust ${JSON.stringify(trust)}\n  context ${JSON.stringify(concreteContext)}`);
      } else {
        empty++;
        // Bitbucket-shaped subs built from the trust's own patterns (each * empty or one hex digit) and the fixed ones.
        const samples = [...SUBJECTS, ...values.patterns(subKey).flatMap(({ value }) => [value.replace(/\*/g, ''), value.replace(/\*/g, '0').replace(/\?/g, 'a')])];
        const admitted = samples.find((candidate) => /^\{/.test(candidate) && simulate(trust, PROVIDER, base.action, { ...concreteContext, [subKey]: candidate }) === true);
        if (admitted !== undefined && /^\{[0-9a-f-]{36}\}(:\{[0-9a-f-]{36}\}){1,2}$/.test(admitted)) problems.push(`case ${index}: no witness, but the simulator admits ${admitted}\n  trust ${JSON.stringify(trust)}`);
      }
    }
    process.stdout.write(`over values: seed ${SEED + 3}, ${witnessed} witnesses checked, ${empty} empty languages sampled\n`);
    expect(problems).toEqual([]);
    expect(witnessed).toBeGreaterThan(OVER_VALUES_CASES / 10);
  });

  test(`${OVER_VALUES_CASES} random permission policies decided over every resource: the example resource is allowed by the simulator, and when there is none the simulator allows no sampled resource`, () => {
    const rng = generator(SEED + 4);
    const actions = ['iam:PutRolePolicy', 'iam:PassRole', 'sts:AssumeRole', 's3:GetObject'];
    const patterns = ['*', `arn:aws:iam::${ACCOUNT}:role/*`, `arn:aws:iam::${ACCOUNT}:role/app-*`, ROLE, `arn:aws:iam::${ACCOUNT}:role/t?rget`, 'arn:aws:s3:::bucket/*', `arn:aws:iam::*:role/cdk-*`];
    const problems: string[] = [];
    let allowed = 0;
    let refused = 0;
    for (let index = 0; index < OVER_VALUES_CASES && problems.length < 5; index++) {
      const documents = {
        policy: {
          Version: '2012-10-17',
          Statement: Array.from({ length: 1 + Math.floor(rng.next() * 4) }, () => ({
            Effect: rng.next() < 0.6 ? 'Allow' : 'Deny',
            [rng.next() < 0.85 ? 'Action' : 'NotAction']: rng.some([...actions, 'iam:*', '*', 'sts:*'], 2),
            [rng.next() < 0.7 ? 'Resource' : 'NotResource']: rng.some(patterns, 2),
          })),
        },
      };
      const action = rng.pick(actions);
      const decision = new PermissionReach(documents).onSomeResource(action);
      if (decision.notModelled.length > 0) continue;
      if (decision.allowed) {
        allowed++;
        const theirs = simulate(undefined, `arn:aws:iam::${ACCOUNT}:role/caller`, action, {}, documents, decision.example);
        if (theirs !== 'invalid' && theirs !== true) problems.push(`case ${index}: example ${decision.example} denied by the simulator\n  policies ${JSON.stringify(documents)}\n  action ${action}`);
      } else {
        refused++;
        const samples = [ROLE, 'arn:aws:s3:::bucket/key', `arn:aws:iam::${ACCOUNT}:role/app-x`, `arn:aws:iam::${ACCOUNT}:role/other`, ...patterns.map((pattern) => pattern.replace(/\*/g, 'x').replace(/\?/g, 'a'))];
        const found = samples.find((resource) => simulate(undefined, `arn:aws:iam::${ACCOUNT}:role/caller`, action, {}, documents, resource) === true);
        if (found !== undefined) problems.push(`case ${index}: no resource allowed, but the simulator allows ${found}\n  policies ${JSON.stringify(documents)}\n  action ${action}`);
      }
    }
    process.stdout.write(`over resources: seed ${SEED + 4}, ${allowed} examples checked, ${refused} refusals sampled\n`);
    expect(problems).toEqual([]);
    expect(allowed).toBeGreaterThan(OVER_VALUES_CASES / 10);
    expect(refused).toBeGreaterThan(OVER_VALUES_CASES / 10);
  });

  test(`${REACH_CASES} random sts:AssumeRole policies over several accounts: every bootstrap role the simulator lets it assume is in the accounts the audit lists, or in "any account"`, () => {
    const rng = generator(SEED + 5);
    const [staging, production, unnamed] = ['444455556666', '777788889999', '100020003000'];
    const bootstrap = (account: string, kind: string, qualifier = 'hnb659fds', region = 'eu-west-1') => `arn:aws:iam::${account}:role/cdk-${qualifier}-${kind}-role-${account}-${region}`;
    const patterns = [
      '*',
      'arn:aws:iam::*:role/cdk-*',
      'arn:aws:iam::1*:role/*',
      `arn:aws:iam::${ACCOUNT}:role/cdk-*`,
      `arn:aws:iam::${staging}:role/cdk-hnb659fds-*-role-${staging}-*`,
      `arn:aws:iam::${production}:role/*`,
      `arn:aws:iam::*:role/cdk-hnb659fds-deploy-role-${staging}-*`,
      `arn:aws:iam::*:role/cdk-*-lookup-role-*`,
      `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-*`,
    ];
    const problems: string[] = [];
    let reached = 0;
    for (let index = 0; index < REACH_CASES && problems.length < 5; index++) {
      const documents = {
        policy: {
          Version: '2012-10-17',
          Statement: Array.from({ length: 1 + Math.floor(rng.next() * 3) }, () => ({
            Effect: rng.next() < 0.65 ? 'Allow' : 'Deny',
            Action: rng.pick(['sts:AssumeRole', 'sts:*', '*']),
            [rng.next() < 0.75 ? 'Resource' : 'NotResource']: rng.some(patterns, 2),
          })),
        },
      };
      const reach = permissionLevel({ arn: `arn:aws:iam::${ACCOUNT}:role/caller`, attachedPolicyArns: [], permissionDocuments: documents }).bootstrapReach;
      const allows = (resource: string) => simulate(undefined, `arn:aws:iam::${ACCOUNT}:role/caller`, 'sts:AssumeRole', {}, documents, resource) === true;
      for (const [kind, what] of [['deploy', reach.deploy], ['lookup', reach.lookup]] as const) {
        for (const account of [ACCOUNT, staging, production, unnamed]) {
          const allowed = [bootstrap(account, kind), bootstrap(account, kind, 'abc123', 'us-east-1')].find(allows);
          if (allowed === undefined) continue;
          reached++;
          // An account the policies name (and the role's own) is decided by itself; any other falls under "any account".
          const named = account === ACCOUNT || JSON.stringify(documents).includes(account);
          if (!what.accounts.includes(account) && (named || !what.anyAccount)) problems.push(`case ${index}: the simulator allows ${allowed}, the audit lists ${JSON.stringify(what)}\n  policies ${JSON.stringify(documents)}`);
        }
        const accounts = /^arn:aws:iam::(\d{12}):role\/cdk-.*-role-(\d{12})-/.exec(what.example ?? '')?.slice(1);
        if (what.example !== undefined && accounts?.[0] === accounts?.[1] && !allows(what.example)) problems.push(`case ${index}: example ${what.example} denied by the simulator\n  policies ${JSON.stringify(documents)}`);
      }
    }
    process.stdout.write(`bootstrap reach: seed ${SEED + 5}, ${reached} allowed bootstrap roles checked\n`);
    expect(problems).toEqual([]);
    expect(reached).toBeGreaterThan(REACH_CASES / 5);
  });
});
