export function needsTypeScript(args: string[]): boolean;
