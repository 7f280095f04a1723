import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parseSmtpSettings, type SmtpSettings } from './smtp-settings';

@Injectable()
export class SmtpSettingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async load(): Promise<{ settings: SmtpSettings; unknownKeys: string[] }> {
    const rows: Array<{ key: string; value: unknown }> = await this.dataSource.query(`SELECT key, value FROM plugin_email_smtp_settings ORDER BY key`);
    return parseSmtpSettings(rows);
  }
}
