// The Kloudspot tools: installed by the seed's script (`curl ... | sudo bash`), then `kloudspot start|update|stop`.
import { cmd, query, sh, type RemoteCommand } from './sh';

export const toolsInstalled = (): RemoteCommand => query('command -v kloudspot', { okCodes: [0, 1, 127] });
export const installTools = (url: string): RemoteCommand => cmd(sh`curl -fsSL ${url} | sudo bash`);
export const kloudspotStart = (): RemoteCommand => cmd('sudo kloudspot start');
export const kloudspotUpdate = (): RemoteCommand => cmd('sudo kloudspot update --update-helm');
export const kloudspotStop = (): RemoteCommand => cmd('sudo kloudspot stop');
