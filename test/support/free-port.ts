import { createServer } from 'node:net';

/** A TCP port nobody listens on right now, so two test runs on one machine do not meet. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.once('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : rejectPort(new Error('no free port'))));
    });
  });
}
