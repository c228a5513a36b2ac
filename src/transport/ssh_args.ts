/**
 * The part of `ansible_ssh_common_args` / `ansible_ssh_extra_args` that sls-play can honour.
 * Users put their bastion there (`-o ProxyJump=…`, `-J …`); the rest is reported, not obeyed.
 */
export interface SshArgs {
  options: Record<string, string>;
  ignored: string[];
}

/** Split like a POSIX shell would: whitespace, single and double quotes, backslash. */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const UNDERSTOOD = new Set([
  'proxyjump',
  'proxycommand',
  'stricthostkeychecking',
  'userknownhostsfile',
  'connecttimeout',
]);

export function parseSshArgs(text: string): SshArgs {
  const words = splitShellWords(text);
  const result: SshArgs = { options: {}, ignored: [] };
  const keep = (option: string, original: string): void => {
    const match = /^([A-Za-z]+)\s*[=\s]\s*(.+)$/.exec(option.trim());
    const key = match?.[1]?.toLowerCase();
    if (match && key !== undefined && UNDERSTOOD.has(key)) {
      if (!(key in result.options)) result.options[key] = match[2]!; // first wins, as in ssh
    } else {
      result.ignored.push(original);
    }
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-o' && i + 1 < words.length) keep(words[++i]!, `-o ${words[i]}`);
    else if (word.startsWith('-o') && word.length > 2) keep(word.slice(2), word);
    else if (word === '-J' && i + 1 < words.length) keep(`ProxyJump=${words[++i]}`, `-J ${words[i]}`);
    else result.ignored.push(word);
  }
  return result;
}
