// The message of the day on every host: npx sls-play deploy inventory/prod -p playbooks/motd.ts
import { file, playbook } from 'sls-play';

export default playbook({
  name: 'message of the day',
  tasks: [
    file({
      path: '/etc/motd',
      content: (host) => `Managed by sls-play. Team: ${String(host.vars.team ?? 'ops')}\n`,
      mode: 0o644,
    }),
  ],
});
