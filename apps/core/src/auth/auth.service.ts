import { Injectable } from '@nestjs/common';
import type { RequestContext } from '@plystra/http';
import { SignInService, clientInfo, type LoginDto } from '@plystra/session';

@Injectable()
export class AuthService {
  constructor(private readonly signIn: SignInService) {}

  async login(dto: LoginDto, ctx: RequestContext) {
    const outcome = await this.signIn.passwordSignIn(dto.email, dto.password, clientInfo(ctx));
    if (outcome.kind !== 'succeeded') throw outcome.error;
    return outcome.bundle;
  }
}
