#!/usr/bin/env node
/**
 * Why was a step refused? Decides, condition by condition, whether the roles that
 * this app synthesizes from the same context as the deploy would admit a step's
 * token. Offline; decodes only the token's payload and never prints the token.
 */
import { runExplain } from '../lib/explain/explain-command';
import { readLocalFile, readStandardInput } from '../lib/explain/local-input';

const outcome = runExplain(process.argv.slice(2), { readFile: readLocalFile, readStdin: readStandardInput });
process.stdout.write(outcome.stdout);
process.stderr.write(outcome.stderr);
process.exitCode = outcome.exitCode;
