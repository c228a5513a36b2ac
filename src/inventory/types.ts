/** Variables as Ansible holds them: any YAML value, keyed by name. */
export type Vars = Record<string, unknown>;

export interface InventoryGroup {
  name: string;
  /** Hosts listed directly in this group (not through children). */
  hosts: string[];
  /** Child group names. */
  children: string[];
  /** Group variables (inventory `vars:` / `[g:vars]` merged with group_vars/). */
  vars: Vars;
  /** Distance from `all` along the longest parent chain (Ansible sorts group vars by it). */
  depth?: number;
  /** `ansible_group_priority` from the inventory (default 1); not part of `vars`, as in Ansible. */
  priority?: number;
}

export interface InventoryHost {
  name: string;
  /** Every variable of the host merged with Ansible's precedence (all < parent groups < child groups < host). */
  vars: Vars;
  /** Every group the host belongs to, directly or through children, `all` included,
   *  in the order their variables apply (lowest precedence first). */
  groups: string[];
}

export interface Inventory {
  /** The path the user gave. */
  source: string;
  /** Hosts in the order Ansible lists them. */
  hosts: Map<string, InventoryHost>;
  groups: Map<string, InventoryGroup>;
  /** Things Ansible would warn about (skipped keys or files, a name both host and group). */
  warnings?: string[];
}

/** A user mistake in an inventory file: the CLI prints it as one line and exits 4. */
export class InventoryError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file ? `${file}${line ? `:${line}` : ''}: ${message}` : message);
    this.name = 'InventoryError';
  }
}
