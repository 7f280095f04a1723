export * from './plugin-auth-settings';
