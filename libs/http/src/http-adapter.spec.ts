import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { z } from 'zod';
import { ConfigError, envHttpAdapter, parseEnv } from './config';
import { answerStarted, rawRequestOf, requestPathOf, requestQueryOf, sendJsonAnswer } from './http-message';
import { headerOf, requestContextOf } from './request-context';

const schema = z.object({ PLYSTRA_HTTP_ADAPTER: envHttpAdapter() });

describe('PLYSTRA_HTTP_ADAPTER', () => {
  it('defaults to express and accepts fastify, case-insensitively', () => {
    expect(parseEnv(schema, {}).PLYSTRA_HTTP_ADAPTER).toBe('express');
    expect(parseEnv(schema, { PLYSTRA_HTTP_ADAPTER: ' ' }).PLYSTRA_HTTP_ADAPTER).toBe('express');
    expect(parseEnv(schema, { PLYSTRA_HTTP_ADAPTER: 'Fastify' }).PLYSTRA_HTTP_ADAPTER).toBe('fastify');
    expect(parseEnv(schema, { PLYSTRA_HTTP_ADAPTER: 'express' }).PLYSTRA_HTTP_ADAPTER).toBe('express');
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => parseEnv(schema, { PLYSTRA_HTTP_ADAPTER: 'koa' })).toThrow(ConfigError);
    expect(() => parseEnv(schema, { PLYSTRA_HTTP_ADAPTER: 'koa' })).toThrow(/PLYSTRA_HTTP_ADAPTER: expected express or fastify/);
  });
});

function nodeRequest(url: string, headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  req.method = 'GET';
  req.headers = headers;
  return req;
}

describe('requests and answers on either adapter', () => {
  it('finds the context and headers on the Node request and through a Fastify request', () => {
    const raw = Object.assign(nodeRequest('/x', { authorization: 'Bearer t', 'x-multi': ['a', 'b'] as never }), { plystra: { requestId: 'req_1', ip: '127.0.0.1', userAgent: null, startedAt: 0 } });
    const fastifyRequest = { raw, headers: raw.headers, url: raw.url };
    expect(requestContextOf(raw).requestId).toBe('req_1');
    expect(requestContextOf(fastifyRequest)).toBe(raw.plystra);
    requestContextOf(fastifyRequest).credential = 'set by a guard';
    expect(raw.plystra).toMatchObject({ credential: 'set by a guard' });
    expect(headerOf(fastifyRequest, 'Authorization')).toBe('Bearer t');
    expect(headerOf({ raw }, 'authorization')).toBe('Bearer t');
    expect(headerOf(raw, 'x-multi')).toBe('a');
    expect(rawRequestOf(fastifyRequest)).toBe(raw);
  });

  it('works out the path and query as Express does, from the URL the client sent', () => {
    const mounted = Object.assign(nodeRequest('/?token=a'), { originalUrl: '/auth/consume?token=a&token=b&x=%41' });
    expect(requestPathOf(mounted)).toBe('/auth/consume');
    expect(requestQueryOf(mounted)).toEqual({ token: ['a', 'b'], x: 'A' });
    expect(requestPathOf(nodeRequest('http://example.com/p/q?x=1'))).toBe('/p/q');
    expect(requestQueryOf(nodeRequest('/p'))).toEqual({});
    expect(requestPathOf({ path: '/express/path', url: '/other' })).toBe('/express/path');
  });

  it('sends a JSON answer on a bare Node response with its length, and on a Fastify-like reply', () => {
    const res = new ServerResponse(nodeRequest('/'));
    const written: string[] = [];
    res.end = ((chunk: string) => {
      written.push(chunk);
      return res;
    }) as never;
    sendJsonAnswer(res, 418, { 'X-Test': 'yes' }, { a: 1 });
    expect(res.statusCode).toBe(418);
    expect(res.getHeader('x-test')).toBe('yes');
    expect(res.getHeader('content-length')).toBe('7');
    expect(written).toEqual(['{"a":1}']);

    const calls: unknown[] = [];
    const reply = { raw: res, sent: false, headers: (h: unknown) => calls.push(['headers', h]), code: (s: number) => calls.push(['code', s]), send: (b: string) => calls.push(['send', b]) };
    sendJsonAnswer(reply, 400, { 'X-A': '1' }, { b: 2 });
    expect(calls).toEqual([['headers', { 'X-A': '1' }], ['code', 400], ['send', '{"b":2}']]);
    expect(answerStarted(reply)).toBe(false);
    expect(answerStarted({ ...reply, sent: true })).toBe(true);
  });
});
