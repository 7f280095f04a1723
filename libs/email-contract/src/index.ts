export * from './email-contract.constants';
export * from './email-contract.types';
export * from './email-send-request.validation';
export * from './email-send-response.validation';
export * from './email-capability.client';
export * from './idempotency';
