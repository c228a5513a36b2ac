/**
 * Python's `shlex.split(line, comments=True)` (POSIX mode), which Ansible uses to cut an INI
 * host line into the host pattern and its `key=value` words. Quotes are removed here, before
 * values are typed, which is why `port="22"` is still the number 22 in Ansible.
 */
export function shlexSplit(line: string): string[] {
  const tokens: string[] = [];
  let token = '';
  let inToken = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inToken) tokens.push(token);
      token = '';
      inToken = false;
      i++;
    } else if (c === '#') {
      // A comment runs to the end of the line, even when it starts inside a word.
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      token += line.slice(i + 1, end);
      inToken = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error('No closing quotation');
        const d = line[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          if (i + 1 >= line.length) throw new Error('No closing quotation');
          const e = line[i + 1];
          // Inside double quotes a backslash escapes only `"` and `\`.
          token += e === '"' || e === '\\' ? e : `\\${e}`;
          i += 2;
          continue;
        }
        token += d;
        i++;
      }
      inToken = true;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('No escaped character');
      token += line[i + 1];
      inToken = true;
      i += 2;
    } else {
      token += c;
      inToken = true;
      i++;
    }
  }
  if (inToken) tokens.push(token);
  return tokens;
}
