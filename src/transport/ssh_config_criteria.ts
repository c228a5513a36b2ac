/**
 * The criteria of one `Match` line, in order, as readconf.c match_cfg_line evaluates them: each
 * one can only turn the result false, and once it is false an `exec` is not run at all.
 */
import { matchPatternList } from './ssh_config_match.ts';
import type { ExecOutcome } from './ssh_config_exec.ts';

export interface MatchContext {
  /** What `Match host` compares: HostName so far (%h expanded), else the name given. */
  host: string;
  /** The name given (`Match originalhost`). */
  originalHost: string;
  /** User so far: the inventory's ansible_user, else User so far, else the local user. */
  remoteUser: string;
  localUser: string;
  /** The exec command with its tokens expanded from the config so far; undefined if a token is unknown. */
  expandExec(command: string): string | undefined;
  runExec(command: string): ExecOutcome;
  /** Says why the block is not applied. */
  refuse(message: string): false;
}

/** `criterion=value` is accepted for these, as by ssh. */
const WITH_EQUALS = /^(host|originalhost|user|localuser|localnetwork|version|tagged|command|exec)=(.*)$/i;

function execMatches(command: string, context: MatchContext): boolean | undefined {
  const expanded = context.expandExec(command);
  if (expanded === undefined) return undefined;
  const outcome = context.runExec(expanded);
  if ('error' in outcome) {
    context.refuse(`Match exec "${expanded}" failed (${outcome.error}); its block is not applied`);
    return undefined;
  }
  return outcome.matched;
}

export function matchCriteria(args: readonly string[], context: MatchContext): boolean {
  if (args.length === 0) return context.refuse('Match without criteria; its block is not applied');
  let result = true;
  for (let i = 0; i < args.length; i++) {
    const raw = args[i]!;
    const negated = raw.startsWith('!');
    let criterion = (negated ? raw.slice(1) : raw).toLowerCase();
    if (criterion === 'all') {
      if (args.length > 1)
        return context.refuse("'Match all' combined with other criteria is refused by ssh; its block is not applied");
      return result && !negated;
    }
    // once an earlier criterion has failed the block cannot apply, whatever this one would say
    if (criterion === 'canonical' || criterion === 'final') {
      if (!result) return false;
      return context.refuse(
        `Match ${criterion} is not supported (sls-play does not canonicalise host names); its block is not applied`,
      );
    }
    let value: string | undefined;
    const equals = WITH_EQUALS.exec(negated ? raw.slice(1) : raw);
    if (equals) {
      criterion = equals[1]!.toLowerCase();
      value = equals[2]!;
    } else value = args[++i];
    if (value === undefined || value === '')
      return context.refuse(`Match ${criterion} needs an argument; its block is not applied`);
    let matched: boolean | undefined;
    switch (criterion) {
      case 'host':
        matched = matchPatternList(context.host, value);
        break;
      case 'originalhost':
        matched = matchPatternList(context.originalHost, value);
        break;
      case 'user':
        matched = matchPatternList(context.remoteUser, value);
        break;
      case 'localuser':
        matched = matchPatternList(context.localUser, value);
        break;
      case 'exec':
        // ssh skips the command once an earlier criterion on the line has failed
        if (!result) continue;
        matched = execMatches(value, context);
        if (matched === undefined) return false;
        break;
      default:
        if (!result) return false;
        return context.refuse(`Match ${criterion} is not supported; its block is not applied`);
    }
    if (matched === negated) result = false;
  }
  return result;
}
