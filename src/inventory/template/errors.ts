/** A variable whose `{{ }}` template cannot be rendered: the CLI exits 5 with this message. */
export class TemplateError extends Error {
  constructor(
    readonly host: string,
    readonly variable: string,
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`host ${host}: variable ${variable}: cannot render ${JSON.stringify(expression)}: ${reason}`);
    this.name = 'TemplateError';
  }
}
