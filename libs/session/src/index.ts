export * from './actor';
export * from './login-throttle';
export * from './password';
export * from './session.service';
export * from './sign-in.service';
export * from './tokens';
