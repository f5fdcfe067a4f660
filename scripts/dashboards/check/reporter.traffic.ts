/** A report request and the status a healthy reporter answers it with. */
export interface ReporterRequest {
  path: string;
  expectedStatus: number;
}

/**
 * Good requests of each report (so the duration histogram has observations per report) and bad ones (so the
 * `bad_request` status series moves too).
 */
export const REPORTER_REQUESTS: readonly ReporterRequest[] = [
  { path: '/reports/events?interval=minute', expectedStatus: 200 },
  { path: '/reports/revenue', expectedStatus: 200 },
  { path: '/reports/demographics', expectedStatus: 200 },
  { path: '/reports/events?source=facebook&funnelStage=top', expectedStatus: 200 },
  { path: '/reports/revenue?source=tiktok', expectedStatus: 200 },
  { path: '/reports/demographics?source=facebook', expectedStatus: 200 },
  { path: '/reports/events?interval=fortnight', expectedStatus: 400 },
  { path: '/reports/revenue?source=myspace', expectedStatus: 400 },
  { path: '/reports/demographics?from=2026-02-01&to=2026-01-01', expectedStatus: 400 },
];

export interface TrafficSummary {
  /** Requests sent, by answer (`200`, `400`, or the network error's message). */
  answers: ReadonlyMap<string, number>;
  /** Requests answered otherwise than a healthy reporter would, e.g. `GET /reports/revenue → 500`. */
  unexpected: readonly string[];
}

/** Cycles through `REPORTER_REQUESTS`, one request at a time, a pause between, until stopped. */
export class ReporterTraffic {
  private readonly answers = new Map<string, number>();
  private readonly unexpected: string[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly baseUrl: string,
    private readonly pauseMs: number,
  ) {
    this.loop = this.run();
  }

  static start(baseUrl: string, pauseMs: number): ReporterTraffic {
    return new ReporterTraffic(baseUrl, pauseMs);
  }

  async stop(): Promise<TrafficSummary> {
    this.stopped = true;
    await this.loop;
    return { answers: this.answers, unexpected: this.unexpected };
  }

  private async run(): Promise<void> {
    for (let index = 0; !this.stopped; index = (index + 1) % REPORTER_REQUESTS.length) {
      const request = REPORTER_REQUESTS[index]!;
      const answer = await this.send(request.path);
      this.answers.set(answer, (this.answers.get(answer) ?? 0) + 1);
      if (answer !== String(request.expectedStatus) && this.unexpected.length < 20) {
        this.unexpected.push(`GET ${request.path} → ${answer} (expected ${request.expectedStatus})`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }

  private async send(path: string): Promise<string> {
    try {
      const response = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      return String(response.status);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}
