import { type DynamicModule, Module } from '@nestjs/common';
import { PlystraClient } from '@plystra/sdk';
import { PlystraGuardModule } from '@plystra/sdk/nest';
import { EXAMPLE_CONFIG, type ExampleConfig } from './config';
import { currentActor } from './current-actor';
import { InvoicesController } from './invoices.controller';
import { InvoicesService } from './invoices.service';
import { SignInController } from './sign-in.controller';
import { SignInService } from './sign-in.service';

@Module({})
export class AppModule {
  static register(config: ExampleConfig): DynamicModule {
    // One client for the guard's checks; its API key needs authz:check in the spaces the routes reach.
    const plystra = new PlystraClient({ baseUrl: config.plystraUrl, apiKey: config.plystraApiKey, timeoutMs: 3_000 });
    return {
      module: AppModule,
      imports: [PlystraGuardModule.forRoot({ client: plystra, actor: currentActor(config.plystraUrl) })],
      controllers: [SignInController, InvoicesController],
      providers: [{ provide: EXAMPLE_CONFIG, useValue: config }, SignInService, InvoicesService],
    };
  }
}
