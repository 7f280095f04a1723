export * from './test-database';
export * from './factories';
export * from './free-port';
