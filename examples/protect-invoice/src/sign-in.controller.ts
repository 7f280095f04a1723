import { Body, Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { SignInService } from './sign-in.service';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

@Controller('auth')
export class SignInController {
  constructor(private readonly signIn: SignInService) {}

  /** `{"email": "…"}` → the plugin emails a sign-in link. */
  @Post('magic-link')
  @HttpCode(202)
  sendLink(@Body() body: { email?: unknown }) {
    return this.signIn.sendLink(body?.email);
  }

  /**
   * Where the emailed link lands. It only shows a button: mail scanners that open links must not
   * use up the single-use token; the user's click (POST) does.
   */
  @Get('consume')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  confirm(@Query('token') token: unknown) {
    const value = typeof token === 'string' ? escapeHtml(token) : '';
    return `<!doctype html><title>Sign in</title><form method="post" action="/auth/consume"><input type="hidden" name="token" value="${value}"><button>Sign in</button></form>`;
  }

  /** `token` (JSON or form) → a Plystra session: send its access_token as `Authorization: Bearer …`. */
  @Post('consume')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  consume(@Body() body: { token?: unknown }) {
    return this.signIn.consume(body?.token);
  }
}
