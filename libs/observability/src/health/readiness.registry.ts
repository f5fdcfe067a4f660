import { Injectable } from '@nestjs/common';

export interface ReadinessCheckResult {
  up: boolean;
  /** Why the dependency is down, shown in the readiness response. */
  message?: string;
}

export type ReadinessCheck = () => Promise<ReadinessCheckResult>;

/**
 * The dependencies a service needs before it can do its job (database, NATS, stream, consumer).
 * Modules register their own checks; `/health/readiness` runs them all and names the ones that fail.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Called first on shutdown: the service stops being ready before it stops taking work. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  async run(name: string): Promise<ReadinessCheckResult> {
    const check = this.checks.get(name);
    if (!check) return { up: false, message: `no readiness check named ${name}` };
    try {
      return await check();
    } catch (error) {
      return { up: false, message: error instanceof Error ? error.message : String(error) };
    }
  }
}
