import { Injectable } from '@nestjs/common';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const INITIAL_MS = 25;
const MAX_PAD_MS = 5_000;

/**
 * Keeps a send for an address without an account (nothing stored, nothing sent) from answering
 * visibly faster than a real one: it learns how long real sends of each kind take (moving average)
 * and pads the decoy to about that long, with jitter.
 */
@Injectable()
export class ResponseTiming {
  private readonly averages = new Map<string, number>();

  record(kind: string, elapsedMs: number): void {
    const previous = this.averages.get(kind);
    this.averages.set(kind, previous === undefined ? elapsedMs : previous * 0.8 + elapsedMs * 0.2);
  }

  async padTo(kind: string, startedAt: number): Promise<void> {
    const target = (this.averages.get(kind) ?? INITIAL_MS) * (0.85 + Math.random() * 0.3);
    const wait = Math.min(target - (performance.now() - startedAt), MAX_PAD_MS);
    if (wait > 0) await sleep(wait);
  }
}
