import { type DynamicModule, Module } from '@nestjs/common';
import { PlystraClient } from '@plystra/sdk';
import { PlystraGuardModule } from '@plystra/sdk/nest';
import type { ExampleConfig } from './config';
import { currentActor } from './current-actor';
import { InvoicesController } from './invoices.controller';
import { InvoicesService } from './invoices.service';

@Module({})
export class AppModule {
  static register(config: ExampleConfig): DynamicModule {
    // One client for the process; the API key needs authz:check in the spaces the routes reach.
    const plystra = new PlystraClient({ baseUrl: config.plystraUrl, apiKey: config.plystraApiKey, timeoutMs: 3_000 });
    return {
      module: AppModule,
      imports: [PlystraGuardModule.forRoot({ client: plystra, actor: currentActor })],
      controllers: [InvoicesController],
      providers: [InvoicesService],
    };
  }
}
