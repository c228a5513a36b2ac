/**
 * YAML scalars a re-print of the whole document would spell differently: a literal tab inside
 * quotes, escapes, a quoted string over two lines, a folded block. An edit must leave them as written.
 */
export const RESPELLABLE_SCALARS = `note: "tab\there"
cafe: "caf\\u00e9 \\x41"
motto: "first line
  continued"
story: >
  folded text that a printer
  would re-flow
`;
