/**
 * Takes the `mcs` output out of the sensor config again (`sls_central=absent`), keeping every
 * other byte: only the entry's own lines go. An entry reached through an alias or a merge key
 * counts as mcs too, so no Central output is left active by mistake.
 */
import { isSeq, type Document } from 'yaml';
import type { TextEdit } from '../modules/file-edit.ts';
import { editYamlPreserving, YamlSpliceError } from '../modules/yaml-splice.ts';
import { isMcsOutput } from './mcs-output.ts';
import { resolved } from './yaml-merge.ts';

class Refused extends Error {}

/** The config's text with its `mcs` output taken out (`sls_central=absent`), every other byte kept. */
export function removeMcsOutput(text: string | null, file: string): TextEdit {
  if (text === null) return { ok: true, text: '', changes: ['no config file, so no mcs output'] };
  let found = 0;
  try {
    const result = editYamlPreserving(
      text,
      (doc: Document) => {
        const outputs = doc.getIn(['alert_output', 'outputs'], true);
        if (!isSeq(outputs)) return;
        const mcs = outputs.items.filter((item) => isMcsOutput(resolved(item, doc), doc));
        found = mcs.length;
        if (found > 1) throw new Refused(`${found} mcs outputs; remove the one you do not want by hand`);
        if (found === 1) outputs.items.splice(outputs.items.indexOf(mcs[0]!), 1);
      },
      { parse: { merge: true } },
    );
    if (found === 0) return { ok: true, text, changes: ['no mcs output configured'] };
    return { ok: true, text: result.text, changes: ['mcs output removed'] };
  } catch (error) {
    if (error instanceof Refused || error instanceof YamlSpliceError) {
      return { ok: false, message: `${file}: ${error.message}; the file was not changed` };
    }
    throw error;
  }
}
