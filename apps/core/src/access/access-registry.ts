import { Injectable, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_METADATA, type AccessDeclaration } from './access.decorators';

export interface RouteAccess {
  method: string;
  path: string;
  access: 'public' | string;
  handler: string;
}

/**
 * The list of every route and the permission it needs. Start-up fails when a route declares
 * neither @Public() nor @RequirePermission(), so none can be added silently.
 */
@Injectable()
export class AccessRegistry implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(): RouteAccess[] {
    const routes: RouteAccess[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
      for (const name of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const handler = instance[name];
        const path = Reflect.getMetadata(PATH_METADATA, handler);
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const declaration = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_METADATA, [handler, metatype]);
        routes.push({
          method,
          path: `/${[base, String(path)].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/'),
          access: declaration ? (declaration.public ? 'public' : declaration.permission) : '',
          handler: `${metatype.name}.${name}`,
        });
      }
    }
    return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  }

  onApplicationBootstrap(): void {
    const missing = this.routes().filter((r) => !r.access);
    if (missing.length) {
      throw new Error(`routes without an access declaration (@Public or @RequirePermission): ${missing.map((r) => `${r.method} ${r.path} (${r.handler})`).join(', ')}`);
    }
  }
}
