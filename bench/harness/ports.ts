import net from 'node:net';

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

let next = 47100;

/** `count` consecutive free ports (away from the ports Node's fetch refuses), not handed out before. */
export async function freePorts(count: number): Promise<number[]> {
  for (; next < 47900; next += count) {
    const ports = Array.from({ length: count }, (_, i) => next + i);
    if ((await Promise.all(ports.map(free))).every(Boolean)) {
      next += count;
      return ports;
    }
  }
  throw new Error('No free ports in 47100..47899');
}
