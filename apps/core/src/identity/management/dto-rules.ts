import { applyDecorators } from '@nestjs/common';
import { governedJsonProblems } from '@plystra/db';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, MinLength, ValidateIf, registerDecorator, type ValidationArguments } from 'class-validator';

/** Client-supplied ids: 1–128 characters, letters, digits and `_ . : -`, starting with a letter or digit. */
export const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** Keys of roles and of the registry: lower-case, no dot (audit actions read `<type>.<action>`). */
export const KEY = /^[a-z][a-z0-9_-]{0,99}$/;

/** May be left out, but not sent as null (the column is NOT NULL). */
export const Optional = () => ValidateIf((_object, value) => value !== undefined);

/** May be left out, and `null` clears the column. */
export const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** An entity id the client chose or refers to. */
export const IsEntityId = () => applyDecorators(IsString(), Matches(ENTITY_ID, { message: '$property must be an id: 1-128 letters, digits, _ . : -' }));

/** A key (role key, resource type, action). */
export const IsKey = () => applyDecorators(IsString(), Matches(KEY, { message: '$property must be lower-case letters, digits, _ or -, starting with a letter (at most 100)' }));

/** Surrounding whitespace is dropped before validation (emails). */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** A bounded text field. */
export const IsText = (max: number) => applyDecorators(IsString(), MaxLength(max));

/** A name: non-blank text of at most `max` characters. */
export const IsName = (max = 200) => applyDecorators(IsString(), MinLength(1), MaxLength(max), Matches(/\S/, { message: '$property must not be blank' }));

/** Metadata must be governed JSON (core.md §1): bounded, and no key that looks like a secret. */
export function IsGovernedJson() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isGovernedJson',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => governedJsonProblems(value).length === 0,
        defaultMessage: (args: ValidationArguments) => {
          const problem = governedJsonProblems(args.value)[0] ?? 'is not acceptable';
          return problem.startsWith('metadata') ? problem : `${args.property} ${problem}`;
        },
      },
    });
}

/** `finance_approver` → `Finance Approver`: the default display name of a key or path segment. */
export function titleCase(key: string): string {
  return key.split(/[_-]+/).filter(Boolean).map((word) => word[0].toUpperCase() + word.slice(1)).join(' ');
}
