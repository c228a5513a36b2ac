/**
 * Takes the `mcs` output out of the sensor config again (`sls_central=absent`), keeping every
 * other byte: the entry's lines are cut from the text, nothing else is re-written.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import type { TextEdit } from '../modules/file-edit.ts';

export function removeMcsOutput(text: string | null, file: string): TextEdit {
  if (text === null) return { ok: true, text: '', changes: ['no config file, so no mcs output'] };
  const doc = parseDocument(text);
  if (doc.errors.length) return { ok: false, message: `${file} does not parse (${doc.errors[0]!.message.split('\n')[0]}): fix it by hand, it was not changed` };
  const outputs = doc.getIn(['alert_output', 'outputs'], true);
  if (!isSeq(outputs)) return { ok: true, text, changes: ['no mcs output configured'] };
  const mcs = outputs.items.map((item, i) => ({ item, i })).filter(({ item }) => isMap(item) && item.get('type') === 'mcs');
  if (mcs.length === 0) return { ok: true, text, changes: ['no mcs output configured'] };
  if (mcs.length > 1) return { ok: false, message: `${file}: ${mcs.length} mcs outputs; remove the one you do not want by hand, the file was not changed` };
  if (outputs.flow) return { ok: false, message: `${file}: alert_output.outputs is a flow list ([…]); remove the mcs entry by hand, the file was not changed` };
  const { item, i } = mcs[0]!;
  // From the start of the entry's line (its "- ") to the start of the next entry, or the list's end.
  const start = text.lastIndexOf('\n', (item as { range: [number, number, number] }).range[0]) + 1;
  const next = outputs.items[i + 1] as { range?: [number, number, number] } | undefined;
  const limit = next?.range ? text.lastIndexOf('\n', next.range[0]) + 1 : text.length;
  const end = endOfContent(text, start, limit);
  const cut = text.slice(0, start) + text.slice(end);
  if (outputs.items.length === 1) {
    // The list would be left empty: keep it a list.
    return { ok: true, text: cut.replace(/(\n[ \t]*outputs:)[ \t]*(\n|$)/, '$1 []$2'), changes: ['mcs output removed'] };
  }
  return { ok: true, text: cut, changes: ['mcs output removed'] };
}

/**
 * The end of the entry's own lines: through its last line that holds YAML, so the comments and
 * blank lines before the next entry (or after the list) stay where the operator put them.
 */
function endOfContent(text: string, start: number, limit: number): number {
  let end = start;
  let at = start;
  const firstIndent = /^[ \t]*/.exec(text.slice(start))![0].length;
  while (at < limit) {
    const newline = text.indexOf('\n', at);
    const lineEnd = newline < 0 || newline >= limit ? limit : newline + 1;
    const line = text.slice(at, lineEnd);
    const indent = /^[ \t]*/.exec(line)![0].length;
    const isContent = line.trim() !== '' && !line.trim().startsWith('#');
    if (at !== start && isContent && indent <= firstIndent) break;
    if (isContent) end = lineEnd;
    at = lineEnd;
  }
  return end;
}
