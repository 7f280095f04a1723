import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { ChallengeRepository } from '../challenges/challenge.repository';
import { ChallengeSecrets } from '../challenges/challenge-secrets';
import { ConsumePageMiddleware } from '../consume-page/consume-page.middleware';
import { EmailDeliveryService } from '../delivery/email-delivery.service';
import { ChallengeSender } from './challenge-sender.service';
import { EmailCodeService } from './email-code.service';
import { MagicLinkService } from './magic-link.service';
import { PasswordlessController } from './passwordless.controller';
import { PasswordlessSignIn } from './passwordless-sign-in.service';
import { ResponseTiming } from './response-timing';

@Module({
  controllers: [PasswordlessController],
  providers: [
    ChallengeRepository, ChallengeSecrets, EmailDeliveryService, ResponseTiming, ChallengeSender, PasswordlessSignIn, EmailCodeService, MagicLinkService,
    ConsumePageMiddleware,
  ],
  exports: [EmailDeliveryService],
})
export class PasswordlessModule implements NestModule {
  /** The confirm page lives at the live `magic_link_path`, so it is matched per request, not routed. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ConsumePageMiddleware).forRoutes({ path: '*path', method: RequestMethod.GET });
  }
}
