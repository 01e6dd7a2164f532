import { patternMatches, valueClause, ValueClause } from './condition-operators';
import { TrustDecision } from './evaluate-trust-policy';
import { statementMatch } from './policy-elements';
import { StringPattern } from './string-language';

/** One statement of a trust, with its conditions on the open keys kept as sets of values. */
export interface OpenStatement {
  readonly name: string;
  readonly effect: 'Allow' | 'Deny';
  /**
   * Whether it counts toward the verdict wherever its conditions on the open keys hold,
   * erring toward admitting: an Allow whose other parts may apply (or are not modelled); a
   * Deny whose other parts apply whatever the caller chooses and whose conditions on the
   * open keys are all modelled.
   */
  readonly counts: boolean;
  /** Its conditions on each open key (lower-cased); an Allow's condition that is not modelled is left out, so it holds. */
  readonly clauses: ReadonlyMap<string, readonly ValueClause[]>;
}

/**
 * A trust policy decided over every value of some condition keys at once (the token's
 * `aud` and `sub`, which the caller of this module enumerates or explores as languages with
 * string-language.ts), instead of over one request's values. The other keys are decided as
 * `evaluateTrustPolicy` decided them for `decision`'s request, which must leave the open
 * keys to the caller so that they rule nothing out there.
 */
export class TrustOverValues {
  readonly statements: readonly OpenStatement[];
  private readonly patternsByKey = new Map<string, StringPattern[]>();
  private readonly positions = new Map<string, Map<string, number>>();

  constructor(decision: TrustDecision, keys: readonly string[]) {
    const open = new Set(keys.map((key) => key.toLowerCase()));
    this.statements = decision.statements.map((statement) => {
      const rest = statementMatch(
        statement.elements,
        statement.conditions.filter((condition) => !open.has(condition.key.toLowerCase())),
      );
      const clauses = new Map<string, ValueClause[]>();
      let unmodelled = false;
      for (const condition of statement.conditions) {
        const key = condition.key.toLowerCase();
        if (!open.has(key)) continue;
        const clause: ValueClause = condition.notModelled === undefined ? valueClause(condition.operator, condition.expected) : { notModelled: condition.notModelled };
        if ('notModelled' in clause) {
          unmodelled = true;
          continue;
        }
        clauses.set(key, [...(clauses.get(key) ?? []), clause]);
      }
      const counts = statement.effect === 'Allow' ? rest !== 'does-not-apply' : rest === 'applies' && !unmodelled;
      return { name: statement.name, effect: statement.effect, counts, clauses };
    });
    for (const key of open) {
      const seen = new Map<string, StringPattern>();
      for (const statement of this.statements) {
        for (const clause of statement.clauses.get(key) ?? []) {
          if ('patterns' in clause) for (const pattern of clause.patterns) seen.set(`${pattern.kind}|${pattern.value}`, pattern);
        }
      }
      this.patternsByKey.set(key, [...seen.values()]);
      this.positions.set(key, new Map([...seen.keys()].map((id, at) => [id, at])));
    }
  }

  /** Every pattern the conditions on `key` use, once each: the alphabet of a language question about it. */
  patterns(key: string): readonly StringPattern[] {
    return this.patternsByKey.get(key.toLowerCase()) ?? [];
  }

  /** Whether statement `index`'s conditions on `key` hold for a value, given which of `patterns(key)` it matches. */
  holdsOn(index: number, key: string, matches: readonly boolean[]): boolean {
    const position = this.positions.get(key.toLowerCase()) ?? new Map<string, number>();
    return (this.statements[index].clauses.get(key.toLowerCase()) ?? []).every((clause) => {
      if ('always' in clause) return clause.always;
      if (!('patterns' in clause)) return true;
      const any = clause.patterns.some((pattern) => matches[position.get(`${pattern.kind}|${pattern.value}`) ?? -1] === true);
      return clause.negated ? !any : any;
    });
  }

  /** Whether statement `index`'s conditions on `key` hold for one value. */
  holdsFor(index: number, key: string, value: string): boolean {
    return this.holdsOn(
      index,
      key,
      this.patterns(key).map((pattern) => patternMatches(pattern, value)),
    );
  }

  /** IAM's verdict where `holds(i)` says whether statement i's open-key conditions hold: some counting Allow, and no counting Deny. */
  admits(holds: (index: number) => boolean): boolean {
    let allowed = false;
    for (let index = 0; index < this.statements.length; index++) {
      const statement = this.statements[index];
      if (!statement.counts || !holds(index)) continue;
      if (statement.effect === 'Deny') return false;
      allowed = true;
    }
    return allowed;
  }
}
