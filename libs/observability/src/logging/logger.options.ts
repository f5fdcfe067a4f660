import { type IncomingMessage } from 'node:http';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { type Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import { currentCorrelation } from '../correlation/correlation.context';

export interface LoggingOptions {
  service: string;
  /** @default 'info' */
  level?: string;
}

const QUIET_PATHS = ['/health/', '/metrics'];

/**
 * One JSON object per line: `time`, `level` (as a word), `service`, `message`, and the correlation id
 * (from the request for HTTP, from the correlation scope for message handling) with the event id where one applies.
 */
export function loggerParams({ service, level = 'info' }: LoggingOptions): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'message',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const scope = currentCorrelation();
        if (!scope) return {};
        return scope.eventId ? { correlationId: scope.correlationId, eventId: scope.eventId } : { correlationId: scope.correlationId };
      },
      // The correlation hook has already put a sane id into the request header.
      genReqId: (req: IncomingMessage) => String(req.headers[CORRELATION_ID_HEADER] ?? ''),
      customAttributeKeys: { reqId: 'correlationId' },
      quietReqLogger: true,
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.some((path) => req.url?.startsWith(path) === true) },
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
