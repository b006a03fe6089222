#!/usr/bin/env node
// A berth worker in Node.js, standard library only: it serves one event-bus address through a berth node's TCP
// event-bus bridge (docs/protocol.md, "Workers over the TCP bridge").
//
//     BERTH_BRIDGE_TOKEN=... node berth-worker.js
//
// Environment: BERTH_BRIDGE (host:port, default 127.0.0.1:7000), BERTH_BRIDGE_TOKEN or BERTH_BRIDGE_TOKEN_FILE (a file
// holding it, such as a Docker secret), BERTH_ADDRESS (default node), BERTH_WORKER_NAME (default <hostname>-node<pid>).
// Replace handle() with your own logic.
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');

/** Fails the request: the client gets HTTP status `code` and the message as the error. */
class Failure extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * One HTTP request ({method, path, query, headers, body: Buffer}) -> {status, contentType, body: string or Buffer}.
 * The demo: /<x>/echo returns the body, /<x>/headers the headers, /<x>/fail/<code> fails, /<x>/slow/<ms> waits.
 */
async function handle(request, name) {
  const [, , action, argument] = request.path.split('/');
  if (action === 'echo') {
    return { status: 200, contentType: (request.headers['content-type'] || ['application/octet-stream'])[0], body: request.body };
  }
  if (action === 'headers') {
    return { status: 200, contentType: 'application/json', body: JSON.stringify(request.headers) };
  }
  if (action === 'fail' && /^\d+$/.test(argument || '')) {
    throw new Failure(Number(argument), `failed on purpose by ${name}`);
  }
  if (action === 'slow' && /^\d+$/.test(argument || '')) {
    await new Promise((resolve) => setTimeout(resolve, Number(argument)));
  }
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: `Hello from Node.js worker ${name}: ${request.method} ${request.path}` };
}

const PING_MS = 10_000;
const BACKOFF_MS = [100, 5_000]; // first and longest wait between reconnections

class Worker {
  constructor(host, port, token, address, name) {
    Object.assign(this, { host, port, token, address, name });
    this.socket = null;
    this.stopping = false;
    this.inFlight = new Set();
    this.backoff = BACKOFF_MS[0];
  }

  /** A frame: 4-byte big-endian length, then the UTF-8 JSON object. */
  send(frame) {
    const json = Buffer.from(JSON.stringify(frame));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length);
    this.socket.write(Buffer.concat([length, json]));
  }

  connect() {
    let pending = Buffer.alloc(0);
    const socket = net.connect(this.port, this.host, () => {
      this.send({ type: 'register', address: this.address, headers: { token: this.token } });
    });
    this.socket = socket;
    const pinger = setInterval(() => this.send({ type: 'ping' }), PING_MS);
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
        const length = pending.readUInt32BE(0);
        this.received(JSON.parse(pending.subarray(4, 4 + length).toString('utf8')));
        pending = pending.subarray(4 + length);
      }
    });
    socket.on('error', (error) => {
      if (!this.stopping) console.log(`bridge ${this.host}:${this.port} unreachable (${error.message}): again in ${this.backoff / 1000} s`);
    });
    socket.on('close', () => {
      clearInterval(pinger);
      if (this.stopping) return;
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MS[1]);
    });
  }

  received(frame) {
    if (frame.type === 'registered') {
      console.log(`${this.name} serves '${this.address}' through ${this.host}:${this.port}`);
      this.backoff = BACKOFF_MS[0];
    } else if (frame.type === 'message' && !this.stopping) {
      const answer = this.answer(frame);
      this.inFlight.add(answer);
      answer.finally(() => this.inFlight.delete(answer));
    } else if (frame.type === 'unregistered') {
      this.onUnregistered?.();
    } else if (frame.type === 'err') {
      console.log(`bridge error: ${frame.message}: ${frame.detail || ''}`);
    }
  }

  async answer(frame) {
    const request = { ...frame.body, body: Buffer.from(frame.body.bodyBase64 || '', 'base64') };
    const reply = { type: 'send', address: frame.replyAddress };
    try {
      const { status, contentType, body } = await handle(request, this.name);
      reply.body = { status, contentType, servedBy: this.name };
      if (Buffer.isBuffer(body)) reply.body.bodyBase64 = body.toString('base64');
      else reply.body.body = body;
    } catch (error) {
      if (error instanceof Failure) {
        Object.assign(reply, { failureCode: error.code, message: error.message });
      } else { // the client gets a 500 without the details
        console.error(`failed on ${request.method} ${request.path}:`, error);
        Object.assign(reply, { failureCode: 500, message: 'the worker failed' });
      }
    }
    if (!this.socket.destroyed) this.send(reply);
  }

  /** SIGTERM or SIGINT: take no new requests, finish those held, then leave. */
  async stop() {
    if (this.stopping) return;
    this.stopping = true;
    if (this.socket && !this.socket.destroyed) {
      const unregistered = new Promise((resolve) => { this.onUnregistered = resolve; });
      this.send({ type: 'unregister', address: this.address });
      await Promise.race([unregistered, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => setTimeout(resolve, 30_000))]);
      await new Promise((resolve) => this.socket.end(resolve));
    }
    console.log(`${this.name} stopped`);
    process.exit(0);
  }
}

const tokenFile = process.env.BERTH_BRIDGE_TOKEN_FILE;
const token = process.env.BERTH_BRIDGE_TOKEN || (tokenFile ? fs.readFileSync(tokenFile, 'utf8').trim() : '');
if (!token) {
  console.error("BERTH_BRIDGE_TOKEN (or BERTH_BRIDGE_TOKEN_FILE) is not set: the bridge's token, as its node has it");
  process.exit(1);
}
const bridge = process.env.BERTH_BRIDGE || '127.0.0.1:7000';
const separator = bridge.lastIndexOf(':');
const worker = new Worker(bridge.slice(0, separator), Number(bridge.slice(separator + 1)), token,
  process.env.BERTH_ADDRESS || 'node', process.env.BERTH_WORKER_NAME || `${os.hostname()}-node${process.pid}`);
process.on('SIGTERM', () => worker.stop());
process.on('SIGINT', () => worker.stop());
worker.connect();
