'use strict';
// Container health probe: asks the service in this container whether it is ready. A Node script because the
// slim base image has neither curl nor wget. Exit 0 = healthy, 1 = unhealthy (Docker's convention).

// The services' own default ports, for a container started without PORT.
const DEFAULT_PORTS = { gateway: 3000, 'fb-collector': 3001, 'ttk-collector': 3002, reporter: 3003 };

// With METRICS_PORT set, /health/* is served there only.
const port = Number(process.env.METRICS_PORT || process.env.PORT || DEFAULT_PORTS[process.env.SERVICE] || 3000);
const path = process.argv[2] || '/health/readiness';
// Shorter than the healthcheck timeout, so a hung service yields a clean "unhealthy" instead of a killed probe.
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 4000);

fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) }).then(
  (response) => {
    if (!response.ok) process.stderr.write(`healthcheck: ${path} answered ${response.status}\n`);
    process.exit(response.ok ? 0 : 1);
  },
  (error) => {
    process.stderr.write(`healthcheck: ${path} failed: ${error.message}\n`);
    process.exit(1);
  },
);
