import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';

/** What a validated field accepts, read from its class-validator (and class-transformer) decorators. */
export interface FieldSpec {
  name: string;
  optional: boolean;
  /** Constraint names: isString, isIn, isInt, isEmail, isBoolean, isObject, isArray, matches, maxLength… */
  rules: Set<string>;
  allowed?: unknown[];
  pattern?: RegExp;
  min?: number;
  max?: number;
  maxLength?: number;
  minLength?: number;
  /** Fields of a nested object (or of each item when `isArray`). */
  nested?: FieldSpec[];
}

export interface RouteSpec {
  method: string;
  /** The path as mounted (global prefix included), with `:param` placeholders. */
  path: string;
  handler: string;
  body: FieldSpec[] | null;
  query: FieldSpec[] | null;
}

/** Route argument types of Nest's @Body() and @Query() (RouteParamtypes.BODY / QUERY). */
const BODY = 3;
const QUERY = 4;

const transformerStorage = (): { findTypeMetadata(target: unknown, property: string): { typeFunction?: () => unknown } | undefined } =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('class-transformer/cjs/storage').defaultMetadataStorage;

/** The fields a DTO class validates, nested DTOs included (to a small depth). */
export function fieldsOf(dto: unknown, depth = 0): FieldSpec[] | null {
  if (typeof dto !== 'function' || dto === Object || depth > 3) return null;
  const metas = getMetadataStorage().getTargetValidationMetadatas(dto as new () => unknown, '', true, false);
  if (metas.length === 0) return null;
  const fields = new Map<string, FieldSpec>();
  for (const meta of metas) {
    const field = fields.get(meta.propertyName) ?? { name: meta.propertyName, optional: false, rules: new Set<string>() };
    fields.set(meta.propertyName, field);
    if (meta.type === 'conditionalValidation') field.optional = true;
    if (meta.type === 'nestedValidation') {
      const type = transformerStorage().findTypeMetadata(dto, meta.propertyName)?.typeFunction?.();
      field.nested = fieldsOf(type, depth + 1) ?? undefined;
      field.rules.add('nested');
    }
    const name = meta.name ?? meta.type;
    if (!name) continue;
    field.rules.add(name);
    const [first, second] = (meta.constraints ?? []) as unknown[];
    if (name === 'isIn') field.allowed = first as unknown[];
    if (name === 'matches') field.pattern = first instanceof RegExp ? first : new RegExp(String(first), typeof second === 'string' ? second : undefined);
    if (name === 'min') field.min = Number(first);
    if (name === 'max') field.max = Number(first);
    if (name === 'maxLength') field.maxLength = Number(first);
    if (name === 'minLength') field.minLength = Number(first);
    if (name === 'isLength') {
      field.minLength = Number(first);
      if (second !== undefined) field.maxLength = Number(second);
    }
  }
  return [...fields.values()];
}

/**
 * Every handler of a Nest application with the DTOs of its @Body() and @Query(), read from the
 * controllers' metadata (Nest's DiscoveryService). Paths are as declared (no global prefix).
 */
export function declaredRoutes(app: INestApplication): RouteSpec[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const routes: RouteSpec[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const bases = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = (instance as Record<string, unknown>)[name];
      const declared = Reflect.getMetadata(PATH_METADATA, handler as object);
      if (declared === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler as object) as RequestMethod];
      const args: Record<string, { index: number }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, name) ?? {};
      const types: unknown[] = Reflect.getMetadata('design:paramtypes', Object.getPrototypeOf(instance), name) ?? [];
      const argOf = (kind: number) => Object.entries(args).find(([key]) => key.split(':')[0] === String(kind))?.[1];
      const body = argOf(BODY);
      const query = argOf(QUERY);
      for (const base of bases) {
        for (const path of ([] as string[]).concat(declared)) {
          routes.push({
            method,
            path: `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/'),
            handler: `${metatype.name}.${name}`,
            body: body ? (fieldsOf(types[body.index]) ?? []) : null,
            query: query ? fieldsOf(types[query.index]) : null,
          });
        }
      }
    }
  }
  return routes;
}

/** The routes Express really serves: method and path of every route layer of the app's router. */
export function mountedRoutes(app: INestApplication): Array<{ method: string; path: string }> {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
  const out: Array<{ method: string; path: string }> = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    const methods = Object.entries(layer.route.methods).filter(([method, on]) => on && method !== '_all').map(([method]) => method.toUpperCase());
    // A middleware mount (Nest mounts middleware on a wildcard path, for every verb or for the
    // verbs it was given) is not a route handler; the fuzzer targets those paths separately.
    if (methods.length > 8 || layer.route.path.includes('*')) continue;
    for (const method of methods) out.push({ method, path: layer.route.path });
  }
  return out;
}

/**
 * Joins the declared routes to the mounted ones, so the fuzzer targets exactly what the server
 * serves, with the path it serves it at. A declared route that is not mounted is an error; a
 * route mounted outside the Nest controllers (e.g. generated API docs) is served, so it is
 * attacked too, as a route without DTOs (`handler: 'express'`).
 */
export function servedRoutes(app: INestApplication, mountedPathOf: (declaredPath: string) => string): RouteSpec[] {
  const declared = declaredRoutes(app).map((r) => ({ ...r, path: mountedPathOf(r.path) }));
  const mounted = mountedRoutes(app);
  const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
  const mountedKeys = new Set(mounted.map(key));
  const declaredKeys = new Set(declared.map(key));
  const unmounted = declared.filter((r) => !mountedKeys.has(key(r)));
  if (unmounted.length) throw new Error(`declared routes the Express router does not serve: ${JSON.stringify(unmounted.map(key))}`);
  const outside: RouteSpec[] = mounted.filter((r) => !declaredKeys.has(key(r))).map((r) => ({ ...r, handler: 'express', body: null, query: null }));
  return [...declared, ...outside].sort((a, b) => key(a).localeCompare(key(b)));
}
