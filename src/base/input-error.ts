/**
 * Bad or missing variables: reported before any host is touched, exit status 5.
 * It lives on the bottom floor because both a playbook's `validate` and the task rooms below the
 * playbook (the owed-handler state directory) throw it.
 */
export class PlaybookInputError extends Error {
  /** @param message what is wrong and what to do, in one sentence (shown without a stack). */
  constructor(message: string) {
    super(message);
    this.name = 'PlaybookInputError';
  }
}
