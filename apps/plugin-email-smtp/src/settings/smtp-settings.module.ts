import { Global, Module } from '@nestjs/common';
import type { Logger } from '@plystra/http';
import { LOGGER } from '../config/email-smtp-config.module';
import type { SmtpSettings } from './smtp-settings';
import { SmtpSettingsRepository } from './smtp-settings.repository';

export const SMTP_SETTINGS = Symbol('SMTP_SETTINGS');

/** The transport settings, read once at start-up (a change takes effect on restart). */
@Global()
@Module({
  providers: [
    SmtpSettingsRepository,
    {
      provide: SMTP_SETTINGS,
      inject: [SmtpSettingsRepository, LOGGER],
      useFactory: async (repository: SmtpSettingsRepository, logger: Logger): Promise<SmtpSettings> => {
        const { settings, unknownKeys } = await repository.load();
        if (unknownKeys.length) logger.warn({ keys: unknownKeys }, 'plugin_email_smtp_settings has keys this version does not use');
        const { username: _username, ...visible } = settings;
        logger.info({ settings: visible, authenticated: settings.username !== '' }, 'smtp settings loaded');
        return settings;
      },
    },
  ],
  exports: [SMTP_SETTINGS],
})
export class SmtpSettingsModule {}
