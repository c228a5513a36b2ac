import type { FileMode } from './path-fact.ts';
import type { Document } from 'yaml';
import type { Host, Param, Task, TaskOptions } from '../tasks/types.ts';
import { fileEdit } from './file-edit.ts';
import { editYamlPreserving, YamlSpliceError } from './yaml-splice.ts';

/** Parameters of `yamlEdit`. */
export interface YamlEditParams extends TaskOptions {
  /** The path on the host. */
  path: Param<string>;
  /**
   * Changes the document through the `yaml` Document API. Return the changes in words (shown in
   * the result), or a string to fail the task with that message; nothing means "no words".
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a callback's return type: an edit that returns nothing (void) is the common case
  edit: (doc: Document, host: Host) => string[] | string | void;
  /** Mode of the written file: a number (`0o600`) or an octal string. Default: the file's own. */
  mode?: Param<FileMode>;
  /** Keep the previous file as `<path>.<timestamp>.bak` (default true). */
  backup?: boolean;
  /** Keys whose values are masked in the diff, on both sides (e.g. `api_key`, `password`). */
  secretKeys?: readonly string[];
  /** Edit a file that does not exist yet as an empty document. */
  create?: boolean;
}

class EditRefused extends Error {}

/**
 * A YAML file edited in place with the Document API: only the edited nodes' text changes; every
 * other byte (comments, order, quoting, escapes, folded blocks) stays as it was. A file that does
 * not parse, or an edit that cannot be spliced in without changing the rest, is never written.
 */
export function yamlEdit(params: YamlEditParams): Task {
  return fileEdit(
    {
      ...params,
      edit(text, host) {
        const path = typeof params.path === 'function' ? params.path(host) : params.path;
        let words: string[] = [];
        try {
          const result = editYamlPreserving(
            text ?? '',
            (doc) => {
              const outcome = params.edit(doc, host);
              if (typeof outcome === 'string') throw new EditRefused(outcome);
              words = outcome ?? [];
            },
            { parse: { merge: true } },
          );
          if (!result.changed) return { ok: true, text: text ?? '', changes: [] };
          return { ok: true, text: result.text, changes: words.length ? words : ['edited'] };
        } catch (error) {
          if (error instanceof EditRefused) return { ok: false, message: error.message };
          if (error instanceof YamlSpliceError)
            return { ok: false, message: `${path}: ${error.message}; fix it by hand, it was not changed` };
          throw error;
        }
      },
    },
    'yamlEdit',
  );
}
