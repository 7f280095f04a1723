import { Injectable, NotFoundException } from '@nestjs/common';

export interface Invoice {
  id: string;
  amount_cents: number;
  status: 'open' | 'approved';
  approved_at: string | null;
}

/** The business side: it never checks permissions itself; the guard already asked Plystra. */
@Injectable()
export class InvoicesService {
  private readonly invoices = new Map<string, Invoice>([
    ['invoice_001', { id: 'invoice_001', amount_cents: 120_000, status: 'open', approved_at: null }],
    ['invoice_002', { id: 'invoice_002', amount_cents: 990_000, status: 'open', approved_at: null }],
  ]);

  approve(id: string): Invoice {
    const invoice = this.invoices.get(id);
    if (!invoice) throw new NotFoundException({ error: { code: 'INVOICE_NOT_FOUND', message: `invoice ${id} was not found` } });
    invoice.status = 'approved';
    invoice.approved_at = new Date().toISOString();
    return invoice;
  }
}
