import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext, type ResponseHeaders, SetHeaders } from '@plystra/http';
import { ConfirmsCachedApiKey, RequirePermission } from '../access/access.decorators';
import { principalOf } from '../access/access.guard';
import { AUTHZ_CHECK } from './authz-access';
import { AuthzService } from './authz.service';
import { AuthzBatchRequestDto, AuthzRequestDto } from './dto/authz-request.dto';

/** A single decision's references, also in `X-Plystra-Trace-ID` and `X-Plystra-Audit-Log-ID`. */
function withDecisionHeaders<T extends { trace_id: string; audit: { audit_log_id: string } }>(headers: ResponseHeaders, answer: T): T {
  headers.set('X-Plystra-Trace-ID', answer.trace_id);
  headers.set('X-Plystra-Audit-Log-ID', answer.audit.audit_log_id);
  return answer;
}

/**
 * `authz:check` is handler-resolved: the service asserts it against every space and group the
 * check reaches, and confirms a cached API key against the version its context query reads.
 */
@Controller('authz')
@ConfirmsCachedApiKey()
export class AuthzController {
  constructor(private readonly authz: AuthzService) {}

  @ApiEndpoint('Check whether a subject may perform an action on a resource', 'VALIDATION_FAILED', 'INLINE_CONTEXT_REQUIRES_API_KEY', 'ACTIVE_MEMBER_REQUIRED', 'USER_NOT_FOUND', 'MEMBER_NOT_FOUND', 'SPACE_NOT_FOUND', 'RESOURCE_NOT_FOUND', 'AUDIT_UNAVAILABLE')
  @Post('check')
  @HttpCode(200)
  @RequirePermission(AUTHZ_CHECK)
  async check(@Body() dto: AuthzRequestDto, @Ctx() ctx: RequestContext, @SetHeaders() headers: ResponseHeaders) {
    return withDecisionHeaders(headers, await this.authz.check(dto, principalOf(ctx.credential), ctx));
  }

  @ApiEndpoint('Explain an authorization decision step by step', 'VALIDATION_FAILED', 'INLINE_CONTEXT_REQUIRES_API_KEY', 'ACTIVE_MEMBER_REQUIRED', 'USER_NOT_FOUND', 'MEMBER_NOT_FOUND', 'SPACE_NOT_FOUND', 'RESOURCE_NOT_FOUND', 'AUDIT_UNAVAILABLE')
  @Post('explain')
  @HttpCode(200)
  @RequirePermission(AUTHZ_CHECK)
  async explain(@Body() dto: AuthzRequestDto, @Ctx() ctx: RequestContext, @SetHeaders() headers: ResponseHeaders) {
    return withDecisionHeaders(headers, await this.authz.explain(dto, principalOf(ctx.credential), ctx));
  }

  @ApiEndpoint('Check several authorization requests at once', 'VALIDATION_FAILED', 'INLINE_CONTEXT_REQUIRES_API_KEY', 'ACTIVE_MEMBER_REQUIRED', 'USER_NOT_FOUND', 'MEMBER_NOT_FOUND', 'SPACE_NOT_FOUND', 'AUDIT_UNAVAILABLE')
  @Post('check-batch')
  @HttpCode(200)
  @RequirePermission(AUTHZ_CHECK)
  checkBatch(@Body() dto: AuthzBatchRequestDto, @Ctx() ctx: RequestContext) {
    return this.authz.checkBatch(dto, principalOf(ctx.credential), ctx);
  }
}
