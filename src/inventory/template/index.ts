/** `{{ }}` templates in inventory variables, rendered as Ansible renders them. */
export { Templar, hasTemplate } from './templar.ts';
export { TemplateError } from './errors.ts';
export { UnsafeText, withoutUnsafe } from './unsafe.ts';
export { UnrenderedValue } from './unrendered.ts';
