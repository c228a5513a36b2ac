// become (sudo) over the OpenSSH client: the same tests as transport-become runs for ssh2, with
// users, a sudoers file and an address of its own.
import { connectOpenSsh } from '../../src/transport/openssh/index.ts';
import { openSshOptionsFor } from '../helpers/connect-options.ts';
import { becomeTests } from './become-helpers.ts';

becomeTests({
  connect: (options) => connectOpenSsh(openSshOptionsFor(options)),
  userPrefix: 'slsos',
  password: 'Correct-Horse 43',
  sudoersName: 'sls-play-openssh-test',
  hostOctet: 31,
  sleepSeconds: 38,
  killWaitMs: 10_000,
  tempPrefix: 'sls-openssh-become-',
});
