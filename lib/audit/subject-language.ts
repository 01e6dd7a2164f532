import { BITBUCKET_UUID_SHAPE } from '../bitbucket/subject-patterns';
import { StringPattern, Universe } from '../iam-evaluator/string-language';

const HEX = '0123456789abcdef';

/** Characters of a UUID in claims, and how many of them there are. */
export const UUID_LENGTH = BITBUCKET_UUID_SHAPE.length;
/** How many UUIDs there are of that shape: every hex digit free. */
export const ALL_UUIDS = 16n ** BigInt([...BITBUCKET_UUID_SHAPE].filter((char) => char === 'x').length);

/**
 * Every `sub` a Bitbucket step token can carry, as an automaton: `{R}:{S}`, or
 * `{R}:{E}:{S}` for a step with `deployment:`, each UUID lowercase hex in braces. The
 * first UUID (`UUID_LENGTH` characters) is the repository, so counting the prefixes of that
 * length counts repositories.
 */
export function bitbucketSubjects(): Universe {
  const states: Array<{ accepting: boolean; moves: Array<{ on: string; to: number }> }> = [];
  const uuid = () => {
    for (const char of BITBUCKET_UUID_SHAPE) states.push({ accepting: false, moves: [{ on: char === 'x' ? HEX : char, to: states.length + 1 }] });
  };
  uuid(); // the repository
  states.push({ accepting: false, moves: [{ on: ':', to: states.length + 1 }] });
  uuid(); // the step, or the environment when another part follows
  states.push({ accepting: true, moves: [{ on: ':', to: states.length + 1 }] });
  uuid(); // the step after an environment
  states.push({ accepting: true, moves: [] });
  return { start: 0, states };
}

const anyUuid = '?'.repeat(UUID_LENGTH);

/** The subs of one repository. */
export const ofRepository = (repository: string): StringPattern => ({ kind: 'like', value: `${repository}:*` });
/** The subs of steps without `deployment:`. */
export const withoutEnvironment: StringPattern = { kind: 'like', value: `${anyUuid}:${anyUuid}` };
/** The subs of steps deploying to one environment. */
export const throughEnvironment = (environment: string): StringPattern => ({ kind: 'like', value: `${anyUuid}:${environment}:*` });
