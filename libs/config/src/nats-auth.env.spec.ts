import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigValidationError } from './config.loader';
import { checkNatsAuth, NATS_SECRET_VARIABLES, natsAuthEnv, natsAuthOf } from './nats-auth.env';
import { loadConfigWithSecretFiles } from './secret-files.env';

const schema = z.object({ ...natsAuthEnv }).superRefine(checkNatsAuth);
const load = (env: NodeJS.ProcessEnv) => loadConfigWithSecretFiles('test-service', schema, env, NATS_SECRET_VARIABLES);
const problemsOf = (env: NodeJS.ProcessEnv) => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
};

describe('natsAuthEnv', () => {
  describe('when nothing is set', () => {
    it('should connect anonymously without TLS', () => {
      expect(natsAuthOf(load({}))).toEqual({ tls: undefined });
    });
  });

  describe('when a user and its password are set', () => {
    it('should give both to the connection', () => {
      expect(natsAuthOf(load({ NATS_USER: 'gateway', NATS_PASSWORD: 'secret' }))).toMatchObject({
        user: 'gateway',
        password: 'secret',
      });
    });

    it('should read the password from NATS_PASSWORD_FILE', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'evp-nats-auth-')), 'password');
      writeFileSync(file, 'from-a-file\n');
      expect(load({ NATS_USER: 'gateway', NATS_PASSWORD_FILE: file }).NATS_PASSWORD).toBe('from-a-file');
    });
  });

  describe('when a user has no password', () => {
    it('should name NATS_PASSWORD', () => {
      expect(problemsOf({ NATS_USER: 'gateway' })).toEqual([
        { variable: 'NATS_PASSWORD', message: 'is required with NATS_USER (gateway); set it or NATS_PASSWORD_FILE' },
      ]);
    });
  });

  describe('when a password has no user', () => {
    it('should name NATS_USER', () => {
      expect(problemsOf({ NATS_PASSWORD: 'secret' })).toEqual([
        { variable: 'NATS_USER', message: 'is required with NATS_PASSWORD: a password alone names no identity' },
      ]);
    });
  });

  describe('when two identities are given', () => {
    it('should refuse the second', () => {
      expect(problemsOf({ NATS_TOKEN: 'a-token', NATS_NKEY_SEED: 'SUAM4ABCDEFGH' })).toEqual([
        {
          variable: 'NATS_NKEY_SEED',
          message: 'set only one of NATS_TOKEN, NATS_NKEY_SEED: a connection has one identity',
        },
      ]);
    });
  });

  describe('when the nkey seed is not a user seed', () => {
    it('should say what a seed looks like', () => {
      expect(problemsOf({ NATS_NKEY_SEED: 'UABC' })[0]?.variable).toBe('NATS_NKEY_SEED');
    });
  });

  describe('when TLS files are set', () => {
    it('should turn TLS on with them', () => {
      expect(natsAuthOf(load({ NATS_TLS_CA: '/ca.pem', NATS_TLS_CERT: '/c.pem', NATS_TLS_KEY: '/k.pem' })).tls).toEqual(
        {
          caFile: '/ca.pem',
          certFile: '/c.pem',
          keyFile: '/k.pem',
        },
      );
    });

    it('should refuse a certificate without its key', () => {
      expect(problemsOf({ NATS_TLS_CERT: '/c.pem' })).toEqual([
        {
          variable: 'NATS_TLS_KEY',
          message: 'NATS_TLS_CERT and NATS_TLS_KEY go together (a client certificate and its key)',
        },
      ]);
    });
  });
});
