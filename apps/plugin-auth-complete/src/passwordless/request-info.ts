import type { RequestContext } from '@plystra/http';

export const requestInfo = (ctx: RequestContext) => ({ requestId: ctx.requestId, ip: ctx.ip, userAgent: ctx.userAgent });
export const clientInfo = (ctx: RequestContext) => ({ ip: ctx.ip, userAgent: ctx.userAgent });
