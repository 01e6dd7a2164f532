import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';

/** One step of `bitbucket-pipelines.yml`, as Bitbucket reads it (anchors resolved). */
export interface PipelineStep {
  readonly name: string;
  readonly script: readonly string[];
  readonly oidc?: boolean;
  readonly deployment?: string;
  /** `manual`: the step waits for someone to run it; Bitbucket's default is `automatic`. */
  readonly trigger?: 'manual' | 'automatic';
  readonly artifacts?: readonly string[];
  readonly caches?: readonly string[];
  readonly services?: readonly string[];
}

export interface SamplePipeline {
  readonly image: string;
  /** Steps in the order each pipeline runs them. */
  readonly pullRequests: readonly PipelineStep[];
  readonly main: readonly PipelineStep[];
  /** The file as written, comments included. */
  readonly text: string;
}

export const SAMPLE_PIPELINE_PATH = join(__dirname, '..', '..', 'bitbucket-pipelines.yml');

interface RawPipeline {
  image: string;
  pipelines: { 'pull-requests': Record<string, Array<{ step: PipelineStep }>>; branches: Record<string, Array<{ step: PipelineStep }>> };
}

export function loadSamplePipeline(path = SAMPLE_PIPELINE_PATH): SamplePipeline {
  const text = readFileSync(path, 'utf8');
  const raw = parse(text) as RawPipeline;
  return {
    image: raw.image,
    pullRequests: raw.pipelines['pull-requests']['**'].map((entry) => entry.step),
    main: raw.pipelines.branches.main.map((entry) => entry.step),
    text,
  };
}

/** A script line that may call AWS: the CDK CLI (synth can look up context) or the AWS CLI. */
export function callsAws(line: string): boolean {
  return /\b(npx\s+)?cdk\s+(synth|diff|deploy|destroy|bootstrap)\b/.test(line) || /(^|\s)aws\s+\w/.test(line);
}

/** The lines before the step's first AWS call: its set-up, credentials included. */
export function linesBeforeAws(step: PipelineStep): readonly string[] {
  const first = step.script.findIndex(callsAws);
  return first === -1 ? step.script : step.script.slice(0, first);
}

/** The step's credential set-up: the lines before its first AWS call that export AWS_* or CDK_ROLE_SESSION_NAME, or write the token. */
export function credentialSetup(step: PipelineStep): readonly string[] {
  return linesBeforeAws(step).filter((line) => line.startsWith('export AWS_') || line.startsWith('export CDK_ROLE_SESSION_NAME=') || line.includes('> "$AWS_WEB_IDENTITY_TOKEN_FILE"'));
}

/** The step's `cdk deploy` lines. */
export function deployLines(step: PipelineStep): readonly string[] {
  return step.script.filter((line) => /\bcdk\s+deploy\b/.test(line));
}
