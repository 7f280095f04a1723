import type { Service, Transport } from './transport';
import type { PlystraPage } from './types';

/** A path segment from an id or key: always encoded, so an id can never change the route. */
export const seg = (value: string): string => {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError('An id or key must be a non-empty string.');
  return encodeURIComponent(value);
};

/** The body of a status move or revoke: only what was given. */
export const reasonBody = (field: 'reason' | 'revoked_reason', reason: string | undefined): Record<string, string> =>
  reason === undefined ? {} : { [field]: reason };

/** Shared plumbing of the modules: each call returns the envelope's `data` (or the page). */
export abstract class ApiModule {
  protected readonly service: Service = 'core';

  constructor(protected readonly transport: Transport) {}

  protected async httpGet<T>(path: string, query?: object): Promise<T> {
    return (await this.transport.request<T>({ method: 'GET', path, query, service: this.service })).data;
  }

  protected async httpPage<T>(path: string, query?: object): Promise<PlystraPage<T>> {
    const res = await this.transport.request<T[]>({ method: 'GET', path, query, service: this.service });
    const data = Array.isArray(res.data) ? res.data : [];
    return { data, pagination: res.pagination ?? { limit: data.length, cursor: null, has_more: false }, request_id: res.requestId };
  }

  protected async httpPost<T>(path: string, body: unknown = {}, auth: 'auto' | 'none' = 'auto'): Promise<T> {
    return (await this.transport.request<T>({ method: 'POST', path, body, auth, service: this.service })).data;
  }

  protected async httpPatch<T>(path: string, body: unknown): Promise<T> {
    return (await this.transport.request<T>({ method: 'PATCH', path, body, service: this.service })).data;
  }

  protected async httpPut<T>(path: string, body: unknown): Promise<T> {
    return (await this.transport.request<T>({ method: 'PUT', path, body, service: this.service })).data;
  }

  protected async httpDelete<T>(path: string): Promise<T> {
    return (await this.transport.request<T>({ method: 'DELETE', path, service: this.service })).data;
  }
}
