'use strict';
// A berth worker: serves one event-bus address through a berth node's TCP event-bus bridge (docs/protocol.md).
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');

/** Thrown by a handler, fails the request: the client gets HTTP status `code` and the message as the error. */
class Failure extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** A setting the worker cannot start with; the message names it. */
class ConfigError extends Error {}

/** A frame: 4-byte big-endian length, then the UTF-8 JSON object. */
function encodeFrame(frame) {
  const json = Buffer.from(JSON.stringify(frame));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json]);
}

/** Reads whole frames as they arrive, in pieces or several at once. */
class FrameReader {
  constructor() {
    this.pending = Buffer.alloc(0);
  }

  /** The frames `data` completes. */
  push(data) {
    this.pending = Buffer.concat([this.pending, data]);
    const frames = [];
    while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readUInt32BE(0)) {
      const length = this.pending.readUInt32BE(0);
      frames.push(JSON.parse(this.pending.subarray(4, 4 + length).toString('utf8')));
      this.pending = this.pending.subarray(4 + length);
    }
    return frames;
  }
}

/**
 * What a handler returned, as the reply's body: a string is text, a Buffer binary, {status, body, contentType} a
 * response, anything else JSON.
 */
function replyBody(result, name) {
  const isResponse = result !== null && typeof result === 'object' && !Buffer.isBuffer(result) && 'status' in result;
  let { status = 200, body, contentType } = isResponse ? result : { body: result };
  if (body !== undefined && body !== null && typeof body !== 'string' && !Buffer.isBuffer(body)) {
    body = JSON.stringify(body);
    contentType = contentType || 'application/json';
  }
  const reply = { status, servedBy: name };
  if (Buffer.isBuffer(body)) {
    return { ...reply, contentType: contentType || 'application/octet-stream', bodyBase64: body.toString('base64') };
  }
  return { ...reply, contentType: contentType || 'text/plain; charset=utf-8', body: body ?? '' };
}

/** {host, port, token} from BERTH_BRIDGE and BERTH_BRIDGE_TOKEN or BERTH_BRIDGE_TOKEN_FILE. */
function settings(env) {
  let token = env.BERTH_BRIDGE_TOKEN;
  if (!token && env.BERTH_BRIDGE_TOKEN_FILE) {
    try {
      token = fs.readFileSync(env.BERTH_BRIDGE_TOKEN_FILE, 'utf8').trim();
    } catch (error) {
      throw new ConfigError(`BERTH_BRIDGE_TOKEN_FILE: cannot read ${env.BERTH_BRIDGE_TOKEN_FILE}: ${error.code}`);
    }
  }
  if (!token) {
    throw new ConfigError("BERTH_BRIDGE_TOKEN (or BERTH_BRIDGE_TOKEN_FILE) is not set: the bridge's token, as its"
      + ' node has it');
  }
  const bridge = env.BERTH_BRIDGE || '127.0.0.1:7000';
  const separator = bridge.lastIndexOf(':');
  const port = Number(bridge.slice(separator + 1));
  if (separator < 1 || !/^\d+$/.test(bridge.slice(separator + 1)) || port < 1 || port > 65535) {
    throw new ConfigError(`BERTH_BRIDGE: '${bridge}' is not host:port`);
  }
  return { host: bridge.slice(0, separator), port, token };
}

const PING_MS = 10_000;
const BACKOFF_MS = [100, 5_000]; // first and longest wait between reconnections
const STOP_MS = 30_000; // how long a stop waits for the requests held

/**
 * Serves `address`: each request goes to the handler of the longest path prefix it starts with. The bridge, the token
 * and the name come from the environment unless given: BERTH_BRIDGE (host:port, default 127.0.0.1:7000),
 * BERTH_BRIDGE_TOKEN or BERTH_BRIDGE_TOKEN_FILE, BERTH_WORKER_NAME (default <hostname>-node<pid>).
 */
class Worker {
  constructor(address, { bridge, token, name, env = process.env } = {}) {
    Object.assign(this, settings({ ...env, ...(bridge && { BERTH_BRIDGE: bridge }),
      ...(token && { BERTH_BRIDGE_TOKEN: token }) }));
    this.address = address;
    this.name = name || env.BERTH_WORKER_NAME || `${os.hostname()}-node${process.pid}`;
    this.handlers = new Map();
    this.socket = null;
    this.connected = false;
    this.stopping = false;
    this.inFlight = new Set();
    this.backoff = BACKOFF_MS[0];
  }

  /** `fn(request)` answers the paths that are `prefix` or start with `prefix` + '/'; it may be async. */
  handle(prefix, fn) {
    if (!prefix.startsWith('/')) throw new TypeError(`a path prefix starts with /, was '${prefix}'`);
    this.handlers.set(prefix.replace(/\/+$/, '') || '/', fn);
    return this;
  }

  /** The handler of the longest prefix `path` is or starts with, segment by segment; undefined when none is. */
  handlerFor(path) {
    for (let candidate = path; ; candidate = candidate.slice(0, candidate.lastIndexOf('/')) || '/') {
      if (this.handlers.has(candidate)) return this.handlers.get(candidate);
      if (candidate === '/' || candidate === '') return this.handlers.get('/');
    }
  }

  /** The reply frame's fields for one request: a body, or a failure code and message. */
  async replyTo(request) {
    const handler = this.handlerFor(request.path);
    if (!handler) {
      return { body: replyBody({ status: 404, body: { error: `no handler for ${request.path}` } }, this.name) };
    }
    try {
      return { body: replyBody(await handler(request), this.name) };
    } catch (error) {
      if (error instanceof Failure) return { failureCode: error.code, message: error.message };
      console.error(`failed on ${request.method} ${request.path}:`, error); // the client gets a 500 without details
      return { failureCode: 500, message: 'the worker failed' };
    }
  }

  send(frame) {
    this.socket.write(encodeFrame(frame));
  }

  /** Connects, registers and answers until stopped, connecting again with backoff when the bridge goes. */
  connect() {
    const reader = new FrameReader();
    const socket = net.connect(this.port, this.host, () => {
      this.connected = true;
      this.send({ type: 'register', address: this.address, headers: { token: this.token, ack: 'true' } });
    });
    this.socket = socket;
    const pinger = setInterval(() => this.send({ type: 'ping' }), PING_MS);
    socket.on('data', (data) => reader.push(data).forEach((frame) => this.received(frame)));
    socket.on('error', (error) => {
      if (!this.stopping) {
        console.log(`bridge ${this.host}:${this.port} unreachable (${error.message}): again in ${this.backoff / 1000} s`);
      }
    });
    socket.on('close', () => {
      this.connected = false;
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
    } else if (frame.type === 'message') { // while stopping too: given before the unregister
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
    const { method, path, query = '', headers = {}, bodyBase64 = '' } = frame.body;
    const request = { method, path, query, headers, body: Buffer.from(bodyBase64, 'base64') };
    const reply = { type: 'send', address: frame.replyAddress, ...await this.replyTo(request) };
    if (!this.socket.destroyed) this.send(reply);
  }

  /** Takes no new requests, answers those held (at most 30 s), then leaves. */
  async stop() {
    if (this.stopping) return;
    this.stopping = true;
    if (this.connected) {
      const unregistered = new Promise((resolve) => { this.onUnregistered = resolve; });
      this.send({ type: 'unregister', address: this.address, headers: { ack: 'true' } });
      await Promise.race([unregistered, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => setTimeout(resolve, STOP_MS))]);
      await new Promise((resolve) => this.socket.end(resolve));
    }
    console.log(`${this.name} stopped`);
  }

  /** Serves until SIGTERM or SIGINT, then stops gracefully and exits 0. */
  run() {
    let stopped;
    const stop = () => { stopped ??= this.stop().then(() => process.exit(0)); };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    this.connect();
    return this;
  }
}

module.exports = { ConfigError, Failure, FrameReader, Worker, encodeFrame, replyBody, settings };
