import type { ScopeFn, ScopeRef, ScopeRequest } from '../../access/access.decorators';
import type { ScopeResolver } from '../../access/scope.resolver';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The route's `:space_id`. */
export const routeSpace: ScopeFn = (req, scopes) => scopes.space(req.params.space_id);

/**
 * An entity's real scope, but only when it lives in `spaceId`: an id from another space must not
 * let that space's (or group's) admin through a route of this space. It then counts as the bare
 * space, and the handler answers 404.
 */
async function within(spaceId: string | undefined, ref: Promise<ScopeRef>): Promise<ScopeRef> {
  const resolved = await ref;
  return resolved.spaceId === spaceId ? resolved : { spaceId: spaceId ?? null };
}

/** The route's space, narrowed to the group named by `pick(req)` when that group is in the space. */
export const groupInSpace =
  (pick: (req: ScopeRequest) => unknown, space: (req: ScopeRequest) => unknown = (req) => req.params.space_id): ScopeFn =>
  (req, scopes: ScopeResolver) => {
    const spaceId = text(space(req));
    const groupId = text(pick(req));
    return groupId ? within(spaceId, scopes.group(groupId)) : { spaceId: spaceId ?? null };
  };

/** The route's space, narrowed to the stored resource's group when it is in the space. */
export const resourceInSpace: ScopeFn = (req, scopes) => within(req.params.space_id, scopes.resource(req.params.resource_id));

/** A request body or query field, when it is a non-empty string (the guard runs before validation). */
export const bodyField = (name: string) => (req: ScopeRequest) => text(req.body?.[name]);
export const queryField = (name: string) => (req: ScopeRequest) => text(req.query?.[name]);
