// Waits until a readiness URL answers 2xx (used by `npm start` before the publisher emulator fires).
const [url, timeoutSeconds = '120'] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutSeconds) * 1000;
for (;;) {
  try {
    const response = await fetch(url);
    if (response.ok) process.exit(0);
  } catch {
    // not listening yet
  }
  if (Date.now() > deadline) {
    process.stderr.write(`${url} was not ready within ${timeoutSeconds} s\n`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
