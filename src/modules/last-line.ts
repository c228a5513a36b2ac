/** The last line a command printed (its error, usually), for a one-line failure message. */
export const lastLine = (text: string): string => text.trim().split('\n').pop() || 'no reason given';
