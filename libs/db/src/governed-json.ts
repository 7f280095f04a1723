/**
 * "Governed JSON": the bounds every stored metadata object must respect, and the rule that no
 * key may look like a secret. Shared by request validation, the audit writer and settings.
 */
export const GOVERNED_JSON_LIMITS = {
  maxBytes: 16 * 1024,
  maxDepth: 12,
  maxKeysPerObject: 256,
  maxArrayItems: 1024,
  maxNodes: 5000,
  maxStringBytes: 8192,
  maxKeyLength: 128,
} as const;

const SECRET_KEY_FRAGMENTS = ['password', 'secret', 'token', 'api_key', 'apikey', 'auth_token', 'credential', 'private_key', 'authorization'];

const secretVerdicts = new Map<string, boolean>();
const VERDICTS_KEPT = 10_000;

/** True when a key, lower-cased with `-` and `.` read as `_`, names something secret. */
export function isSecretLookingKey(key: string): boolean {
  let verdict = secretVerdicts.get(key);
  if (verdict === undefined) {
    const normalised = key.toLowerCase().replace(/[-.]/g, '_');
    verdict = SECRET_KEY_FRAGMENTS.some((fragment) => normalised.includes(fragment));
    // Traces repeat the same few dozen keys; the bound keeps arbitrary metadata keys from growing it.
    if (secretVerdicts.size < VERDICTS_KEPT) secretVerdicts.set(key, verdict);
  }
  return verdict;
}

/** The keys leading to the first secret-looking key in a JSON value (innermost first), or null. */
function secretKeyTrail(value: unknown): Array<string | number> | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const trail = secretKeyTrail(value[i]);
      if (trail) return (trail.push(i), trail);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      if (isSecretLookingKey(key)) return [key];
      const trail = secretKeyTrail((value as Record<string, unknown>)[key]);
      if (trail) return (trail.push(key), trail);
    }
  }
  return null;
}

/** Returns the path of the first secret-looking key in a JSON value, or null. */
export function findSecretLookingKey(value: unknown, path = '$'): string | null {
  const trail = secretKeyTrail(value);
  if (!trail) return null;
  return trail.reverse().reduce<string>((at, step) => (typeof step === 'number' ? `${at}[${step}]` : `${at}.${step}`), path);
}

/** Validates a metadata object; returns the list of problems (empty when it is acceptable). */
export function governedJsonProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['must be a JSON object'];
  const problems: string[] = [];
  const L = GOVERNED_JSON_LIMITS;
  let nodes = 0;
  const visit = (node: unknown, path: string, depth: number): void => {
    if (problems.length > 0) return;
    if (++nodes > L.maxNodes) return void problems.push(`has more than ${L.maxNodes} values`);
    if (depth > L.maxDepth) return void problems.push(`${path} is nested deeper than ${L.maxDepth}`);
    if (typeof node === 'string') {
      if (Buffer.byteLength(node) > L.maxStringBytes) problems.push(`${path} is longer than ${L.maxStringBytes} bytes`);
    } else if (typeof node === 'number') {
      if (!Number.isFinite(node)) problems.push(`${path} is not a finite number`);
    } else if (Array.isArray(node)) {
      if (node.length > L.maxArrayItems) return void problems.push(`${path} has more than ${L.maxArrayItems} items`);
      node.forEach((item, i) => visit(item, `${path}[${i}]`, depth + 1));
    } else if (node !== null && typeof node === 'object') {
      const keys = Object.keys(node);
      if (keys.length > L.maxKeysPerObject) return void problems.push(`${path} has more than ${L.maxKeysPerObject} keys`);
      for (const key of keys) {
        if (key.length === 0 || key.length > L.maxKeyLength) return void problems.push(`${path} has a key longer than ${L.maxKeyLength} characters or empty`);
        if (/[\u0000-\u001f\u007f]/.test(key)) return void problems.push(`${path} has a key with control characters`);
        if (isSecretLookingKey(key)) return void problems.push(`${path}.${key} looks like a secret and cannot be stored`);
        visit((node as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
      }
    } else if (typeof node !== 'boolean' && node !== null) {
      problems.push(`${path} is not JSON`);
    }
  };
  visit(value, 'metadata', 1);
  if (problems.length === 0 && Buffer.byteLength(JSON.stringify(value)) > L.maxBytes) problems.push(`is larger than ${L.maxBytes} bytes`);
  return problems;
}
