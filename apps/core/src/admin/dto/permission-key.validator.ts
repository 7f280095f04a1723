import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isValidPermissionKey } from '../../access/permission-keys';

/** `*` or `domain:action` with lower-case tokens (core.md §8); `*:read`, `users`, `Users:read`, `users:` are refused. */
export function IsPermissionKey(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPermissionKey',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isValidPermissionKey(value),
        defaultMessage: () => '$property must be * or domain:action in lower case (tokens of a-z, 0-9, _ and -)',
      },
    },
    options,
  );
}

/** Caller-supplied ids of grants and keys: a key's id is part of its plaintext, so no dots or spaces. */
export const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,128}$/;
