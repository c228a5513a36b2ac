import { parseDocument, type Document } from 'yaml';
import type { Host, Param, Task, TaskOptions } from '../tasks/types.ts';
import { fileEdit } from './file-edit.ts';

export interface YamlEditParams extends TaskOptions {
  path: Param<string>;
  /**
   * Changes the document through the `yaml` Document API. Return the changes in words (shown in
   * the result), or a string to fail the task with that message; nothing means "no words".
   */
  edit: (doc: Document, host: Host) => string[] | string | void;
  mode?: Param<number | string>;
  /** Keep the previous file as `<path>.<timestamp>.bak` (default true). */
  backup?: boolean;
  /** Keys whose values are masked in the diff, on both sides (e.g. `api_key`, `password`). */
  secretKeys?: readonly string[];
  create?: boolean;
}

/**
 * A YAML file edited in place with the Document API: comments, order and the spelling of every
 * untouched node are kept. A file that does not parse is never rewritten.
 */
export function yamlEdit(params: YamlEditParams): Task {
  return fileEdit(
    {
      ...params,
      edit(text, host) {
        const doc = parseDocument(text ?? '');
        if (doc.errors.length) return { ok: false, message: `${resolvePath(params, host)} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}): fix it by hand, it was not changed` };
        const before = doc.toString();
        const outcome = params.edit(doc, host);
        if (typeof outcome === 'string') return { ok: false, message: outcome };
        const after = doc.toString();
        // Only a real change of the document rewrites the file: an untouched file keeps its bytes.
        if (after === before) return { ok: true, text: text ?? '', changes: [] };
        return { ok: true, text: after, changes: outcome?.length ? outcome : ['edited'] };
      },
    },
    'yamlEdit',
  );
}

function resolvePath(params: YamlEditParams, host: Host): string {
  return typeof params.path === 'function' ? params.path(host) : params.path;
}
