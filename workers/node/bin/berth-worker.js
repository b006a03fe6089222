#!/usr/bin/env node
// The demo worker, `npx berth-worker`: serves BERTH_ADDRESS (default node). /<x>/echo returns the body, /<x>/headers
// the headers, /<x>/fail/<code> fails, /<x>/slow/<ms> waits; anything else says hello.
'use strict';
const { ConfigError, Failure, Worker } = require('../lib/worker.js');

let worker;
try {
  worker = new Worker(process.env.BERTH_ADDRESS || 'node');
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`berth-worker: ${error.message}`);
  process.exit(78);
}
worker.handle('/', async (request) => {
  const [, , action, argument = ''] = request.path.split('/');
  if (action === 'echo') {
    return { status: 200, body: request.body, contentType: (request.headers['content-type'] || ['application/octet-stream'])[0] };
  }
  if (action === 'headers') return request.headers;
  if (action === 'fail' && /^\d+$/.test(argument)) throw new Failure(Number(argument), `failed on purpose by ${worker.name}`);
  if (action === 'slow' && /^\d+$/.test(argument)) await new Promise((resolve) => setTimeout(resolve, Number(argument)));
  return `Hello from Node.js worker ${worker.name}: ${request.method} ${request.path}`;
}).run();
