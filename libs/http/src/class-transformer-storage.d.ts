/** class-transformer's metadata storage (where `@Type(() => X)` is recorded): shipped untyped at this path. */
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
