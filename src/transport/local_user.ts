import { userInfo, type UserInfo } from 'node:os';

let known: UserInfo<string> | Error | undefined;

/**
 * os.userInfo(), asked once: it reads the password database, and every host's connection
 * settings need the local user's name and uid, which do not change while the process runs.
 * Throws as os.userInfo() does when the user has no entry.
 */
export function localUserInfo(): UserInfo<string> {
  if (known === undefined) {
    try {
      known = userInfo();
    } catch (error) {
      known = error as Error;
    }
  }
  if (known instanceof Error) throw known;
  return known;
}
