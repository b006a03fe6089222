'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const test = require('node:test');
const { ConfigError, Failure, FrameReader, Worker, encodeFrame, replyBody, settings } = require('../lib/worker.js');

const env = { BERTH_BRIDGE_TOKEN: 'a-token-of-16-chars' };

test('a frame is its length in bytes, then the JSON', () => {
  const frame = encodeFrame({ body: 'é' });
  assert.equal(frame.readUInt32BE(0), frame.length - 4);
  assert.deepEqual(JSON.parse(frame.subarray(4)), { body: 'é' });
});

test('frames are read whole, split anywhere or several in one piece', () => {
  const bytes = Buffer.concat([encodeFrame({ type: 'pong' }), encodeFrame({ type: 'message', body: 'x' })]);
  const reader = new FrameReader();
  const frames = [];
  for (let i = 0; i < bytes.length; i += 3) frames.push(...reader.push(bytes.subarray(i, i + 3)));
  assert.deepEqual(frames, [{ type: 'pong' }, { type: 'message', body: 'x' }]);
  assert.deepEqual(new FrameReader().push(bytes).length, 2);
});

test('what a handler returns becomes the reply body', () => {
  assert.deepEqual(replyBody('hi', 'w'), { status: 200, servedBy: 'w', contentType: 'text/plain; charset=utf-8', body: 'hi' });
  assert.deepEqual(replyBody(Buffer.from([0xff, 0]), 'w'),
    { status: 200, servedBy: 'w', contentType: 'application/octet-stream', bodyBase64: '/wA=' });
  assert.deepEqual(replyBody({ a: 1 }, 'w'), { status: 200, servedBy: 'w', contentType: 'application/json', body: '{"a":1}' });
  assert.deepEqual(replyBody({ status: 201, body: 'made', contentType: 'text/x-made' }, 'w'),
    { status: 201, servedBy: 'w', contentType: 'text/x-made', body: 'made' });
});

test('settings: defaults, a token file, and each bad setting named', () => {
  assert.deepEqual(settings(env), { host: '127.0.0.1', port: 7000, token: 'a-token-of-16-chars' });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-')), 'token');
  fs.writeFileSync(file, 'from-a-file-0123\n');
  assert.equal(settings({ BERTH_BRIDGE_TOKEN_FILE: file }).token, 'from-a-file-0123');
  const bad = { BERTH_BRIDGE_TOKEN: {}, BERTH_BRIDGE_TOKEN_FILE: { BERTH_BRIDGE_TOKEN_FILE: '/nonexistent/token' },
    BERTH_BRIDGE: { ...env, BERTH_BRIDGE: 'no-port' } };
  for (const [name, given] of Object.entries(bad)) {
    assert.throws(() => settings(given), (error) => error instanceof ConfigError && error.message.startsWith(name));
  }
});

test('the longest prefix wins, segment by segment; no handler is a 404', async () => {
  const worker = new Worker('node', { name: 'w', env });
  worker.handle('/', () => 'root').handle('/zoo', () => 'zoo').handle('/zoo/cats', () => 'cats');
  const answers = {};
  for (const p of ['/zoo', '/zoo/', '/zoo/cats/tom', '/zookeeper', '/zoo/dogs', '/']) {
    answers[p] = (await worker.replyTo({ method: 'GET', path: p })).body.body;
  }
  assert.deepEqual(answers, { '/zoo': 'zoo', '/zoo/': 'zoo', '/zoo/cats/tom': 'cats', '/zookeeper': 'root',
    '/zoo/dogs': 'zoo', '/': 'root' });
  const none = await new Worker('node', { env }).handle('/zoo', () => 'zoo').replyTo({ method: 'GET', path: '/park' });
  assert.equal(none.body.status, 404);
  assert.deepEqual(JSON.parse(none.body.body), { error: 'no handler for /park' });
});

test('a Failure is its code and message; any other error a 500 without details', async () => {
  const worker = new Worker('node', { env })
    .handle('/tea', () => { throw new Failure(418, 'short and stout'); })
    .handle('/bug', async () => { throw new Error('secret detail'); });
  assert.deepEqual(await worker.replyTo({ method: 'GET', path: '/tea' }), { failureCode: 418, message: 'short and stout' });
  assert.deepEqual(await worker.replyTo({ method: 'GET', path: '/bug' }), { failureCode: 500, message: 'the worker failed' });
});

test('a prefix must start with a slash', () => {
  assert.throws(() => new Worker('node', { env }).handle('zoo', () => ''), TypeError);
});
