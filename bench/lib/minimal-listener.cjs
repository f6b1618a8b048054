// The least a Node.js -k listener can do, to measure Node's own floor beside tsnc:
//   BENCH_ONLY=keep BENCH_IMPLS="nc tsnc minimal" \
//     BENCH_CMD_minimal="node bench/lib/minimal-listener.cjs" bash bench/run.sh
// Takes `-k -l -p PORT` as the bench passes them; accepts, writes what arrives to stdout with
// write(2), closes at the client's EOF. No options, no rules, no stdin.
'use strict';
const net = require('node:net');
const fs = require('node:fs');

const port = Number(process.argv[process.argv.indexOf('-p') + 1]);
net
  .createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', (chunk) => fs.writeSync(1, chunk));
    socket.on('end', () => socket.destroy());
    socket.on('error', () => socket.destroy());
  })
  .listen(port);
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
