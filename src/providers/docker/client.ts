import Docker from 'dockerode';
import { assertTrusted } from '../../core/trust/gate';
import type { Endpoint } from './connect';

/**
 * The one way to get a Docker API client. Creating it connects nowhere; every request (dockerode goes through
 * its modem's `dial`) first asks the workspace trust gate, so in Restricted Mode no call reaches the engine.
 */
export function dockerClient(ep: Endpoint): Docker {
  const docker = ep.socketPath
    ? new Docker({ socketPath: ep.socketPath })
    : new Docker({ host: ep.host, port: ep.port, protocol: ep.protocol });
  const modem = docker.modem as unknown as {
    dial(options: unknown, callback: (err: unknown, data?: unknown) => void): unknown;
  };
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    try {
      assertTrusted(`Docker ${ep.url}`);
    } catch (err) {
      return callback(err);
    }
    return dial(options, callback);
  };
  return docker;
}
