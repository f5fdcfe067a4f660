import { describe, expect, it } from 'vitest';
import { defaultLogFormat, logFormat } from './log-format.env';

describe('defaultLogFormat', () => {
  const outside = () => false;

  describe('when stdout is a terminal outside containers', () => {
    it('should be pretty', () => {
      expect(defaultLogFormat({ isTTY: true }, {}, outside)).toBe('pretty');
    });
  });

  describe('when stdout is a pipe', () => {
    it('should be json', () => {
      expect(defaultLogFormat({ isTTY: false }, {}, outside)).toBe('json');
    });
  });

  describe('when running in a container or a Kubernetes pod', () => {
    it('should be json even on a terminal', () => {
      expect(defaultLogFormat({ isTTY: true }, {}, () => true)).toBe('json');
      expect(defaultLogFormat({ isTTY: true }, { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, outside)).toBe('json');
    });
  });
});

describe('logFormat', () => {
  describe('when LOG_FORMAT holds anything else', () => {
    it('should say what it must be', () => {
      const parsed = logFormat.safeParse('colour');
      expect(parsed.error?.issues[0]?.message).toBe('must be pretty or json');
    });
  });
});
