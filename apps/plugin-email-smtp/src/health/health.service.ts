import { Injectable } from '@nestjs/common';
import { ApiError } from '@plystra/http';
import { DataSource } from 'typeorm';
import { SmtpTransport } from '../delivery/smtp-transport';

export interface HealthReport {
  status: 'ok';
  smtp: 'ok';
  database: 'ok';
}

@Injectable()
export class HealthService {
  constructor(
    private readonly transport: SmtpTransport,
    private readonly dataSource: DataSource,
  ) {}

  /** 200 when the SMTP server answers and the database is reachable; 503 NOT_READY naming why not. */
  async check(): Promise<HealthReport> {
    const [smtp, database] = await Promise.all([
      this.transport.verify(),
      this.dataSource.query('SELECT 1').then(() => null, (error: Error) => error.message),
    ]);
    if (!smtp && !database) return { status: 'ok', smtp: 'ok', database: 'ok' };
    const reasons = [smtp && `smtp: ${smtp.code} ${smtp.message}`, database && `database: ${database}`].filter(Boolean);
    throw new ApiError(503, 'NOT_READY', `Not ready: ${reasons.join('; ')}`, {
      smtp: smtp ? { status: 'unavailable', code: smtp.code, reason: smtp.message } : { status: 'ok' },
      database: database ? { status: 'unavailable', reason: database } : { status: 'ok' },
    });
  }
}
