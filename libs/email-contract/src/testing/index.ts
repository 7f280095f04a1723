export * from './contract-test-server';
