import { type IncomingMessage } from 'node:http';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { type Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import { currentCorrelation } from '../correlation/correlation.context';

export interface LoggingOptions {
  service: string;
  /** @default 'info' */
  level?: string;
  /** `pretty`: coloured lines through pino-pretty, for a person at a terminal. @default 'json' */
  format?: 'pretty' | 'json';
}

const QUIET_PATHS = ['/health/', '/metrics'];

/** Query parameters that carry secrets (the gateway's webhook `token`): logged as `[redacted]`. */
const SECRET_PARAMETER = /([?&](?:token|access_token|api_key|key)=)[^&#]*/gi;

/** A request URL as it may be logged: secrets in its query string replaced. */
export function redactedUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_PARAMETER, '$1[redacted]');
}

/** pino-pretty reads the JSON lines in a worker thread: the service itself still logs the same fields. */
const PRETTY_TRANSPORT = {
  target: 'pino-pretty',
  options: { colorize: true, messageKey: 'message', translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' },
};

/**
 * One JSON object per line: `time`, `level` (as a word), `service`, `message`, and the correlation id
 * (from the request for HTTP, from the correlation scope for message handling) with the event id where one applies.
 * In the `pretty` format the same fields are printed as coloured lines.
 */
export function loggerParams({ service, level = 'info', format = 'json' }: LoggingOptions): Params {
  return {
    pinoHttp: {
      level,
      ...(format === 'pretty' ? { transport: PRETTY_TRANSPORT } : {}),
      base: { service },
      messageKey: 'message',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const scope = currentCorrelation();
        if (!scope) return {};
        return scope.eventId
          ? { correlationId: scope.correlationId, eventId: scope.eventId }
          : { correlationId: scope.correlationId };
      },
      // The correlation hook has already put a sane id into the request header.
      genReqId: (req: IncomingMessage) => String(req.headers[CORRELATION_ID_HEADER] ?? ''),
      customAttributeKeys: { reqId: 'correlationId' },
      quietReqLogger: true,
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.some((path) => req.url?.startsWith(path) === true) },
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: redactedUrl(req.url) }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
