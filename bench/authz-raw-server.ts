import { createServer } from 'node:http';

/**
 * The physical floor: a raw Node `http` server that reads the POST body and answers `{}`.
 * Env: PORT. Prints `listening <port> raw` when ready.
 */
const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': '2' });
    res.end('{}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0} raw\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
