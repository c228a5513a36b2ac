// become (sudo) over SSH with the ssh2 client, real users and a real sudo: passwordless and with a
// password, a wrong or missing password, and the password never on a command line.
import { connect } from '../../src/transport/index.ts';
import { becomeTests } from './become-helpers.ts';

becomeTests({
  connect,
  userPrefix: 'slstr',
  password: 'Correct-Horse 42',
  sudoersName: 'sls-play-transport-test',
  hostOctet: 30,
  sleepSeconds: 37,
  killWaitMs: 5_000,
});
