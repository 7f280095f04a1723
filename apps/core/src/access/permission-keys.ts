/** `*` or `domain:action`, lower-case tokens `[a-z0-9_-]+`; the action may be `*`. */
const KEY = /^[a-z0-9_-]+:([a-z0-9_-]+|\*)$/;

export function isValidPermissionKey(key: string): boolean {
  return key === '*' || KEY.test(key);
}

/**
 * Whether a held key grants a required one: `*` grants everything; `domain:*` and
 * `domain:manage` grant every action of their domain; otherwise the keys must be equal.
 */
export function permissionCovers(held: string, required: string): boolean {
  if (held === '*' || held === required) return true;
  const [heldDomain, heldAction] = held.split(':');
  const [requiredDomain] = required.split(':');
  return heldDomain === requiredDomain && (heldAction === '*' || heldAction === 'manage');
}
