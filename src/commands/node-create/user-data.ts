/**
 * cloud-init for a fresh Ubuntu droplet: Docker Engine and the Compose v2 plugin from Ubuntu's archive, and a
 * node that is closed by default: key-only SSH (root by key, no passwords at all), unattended security upgrades,
 * and Docker's API on its Unix socket only. Dynia waits for `docker info` over SSH afterwards, so the droplet
 * may still be installing when it turns active. Checked by the real `cloud-init schema` in the tests.
 */

/** sshd settings; Ubuntu's sshd_config includes sshd_config.d/*.conf first and the first value wins, so `10-`
 *  comes before cloud-init's own `50-cloud-init.conf`. The sandbox node hosts apply this same file. */
export const SSHD_DROPIN_PATH = '/etc/ssh/sshd_config.d/10-dynia.conf';
export const SSHD_DROPIN = [
  'PermitRootLogin prohibit-password',
  'PasswordAuthentication no',
  'KbdInteractiveAuthentication no',
  'PermitEmptyPasswords no',
  'AuthenticationMethods publickey',
  '',
].join('\n');

/** Pins dockerd to the socket systemd hands it: a `hosts` entry (e.g. tcp://) in daemon.json then makes dockerd
 *  refuse to start instead of opening its API on the network. */
const DOCKER_UNIT_DROPIN = [
  '[Service]',
  'ExecStart=',
  'ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock',
  '',
].join('\n');

const AUTO_UPGRADES = ['APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";', ''].join('\n');

const indent = (text: string, spaces: number): string =>
  text
    .split('\n')
    .map((line) => (line ? ' '.repeat(spaces) + line : line))
    .join('\n');

function file(path: string, mode: string, content: string): string {
  return `  - path: ${path}\n    owner: root:root\n    permissions: '${mode}'\n    content: |\n${indent(content, 6)}`;
}

export const NODE_USER_DATA = `#cloud-config
package_update: true
packages:
  - docker.io
  - docker-compose-v2
  - curl
  - unattended-upgrades
ssh_pwauth: false
disable_root: false
write_files:
${file(SSHD_DROPIN_PATH, '0644', SSHD_DROPIN)}
${file('/etc/apt/apt.conf.d/20auto-upgrades', '0644', AUTO_UPGRADES)}
${file('/etc/systemd/system/docker.service.d/10-dynia-socket-only.conf', '0644', DOCKER_UNIT_DROPIN)}
runcmd:
  - [systemctl, daemon-reload]
  - [systemctl, enable, --now, docker]
  - [systemctl, reload-or-restart, ssh]
`;
