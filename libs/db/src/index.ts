export * from './audit-writer';
export * from './data-source';
export * from './embedded-postgres';
export * from './governed-json';
export * from './ids';
export * from './migrations';
export * from './pg-errors';
export * from './database-url';
