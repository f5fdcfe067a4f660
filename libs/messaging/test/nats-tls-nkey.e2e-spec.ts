import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConnectError, type NatsAuthOptions } from '@evp/messaging';
import { type PrivateNats, startPrivateNats, uniqueNames } from '@evp/testing';
import { nkeys } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, observabilityStub, startJetStreamApp, suiteOptions } from './jetstream.harness';

const openssl = (dir: string, ...args: string[]) => promisify(execFile)('openssl', args, { cwd: dir });

/** A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, all signed by that CA. */
async function issueCertificates(dir: string): Promise<void> {
  await openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=evp-test-ca',
  );
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [
    ['server', '/CN=127.0.0.1'],
    ['client', '/CN=evp-test-client'],
  ] as const) {
    await openssl(
      dir,
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    );
    await openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  }
}

describe('a NATS identity given as an nkey, over mutual TLS', () => {
  const names = uniqueNames('nkey-tls');
  const user = nkeys.createUser();
  const seed = new TextDecoder().decode(user.getSeed());
  let dir: string;
  let nats: PrivateNats;
  let tls: NonNullable<NatsAuthOptions['tls']>;

  const start = (auth: NatsAuthOptions) =>
    startJetStreamApp({ ...suiteOptions(names), servers: [nats.url], auth }, [], [observabilityStub().module]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evp-nats-tls-'));
    await issueCertificates(dir);
    tls = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'client.pem'), keyFile: join(dir, 'client.key') };
    const config = join(dir, 'nats.conf');
    await writeFile(
      config,
      [
        'tls {',
        `  cert_file: "${join(dir, 'server.pem')}"`,
        `  key_file: "${join(dir, 'server.key')}"`,
        `  ca_file: "${join(dir, 'ca.pem')}"`,
        '  verify: true',
        '}',
        `authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`,
      ].join('\n'),
    );
    nats = await startPrivateNats({ configFile: config });
  });

  afterAll(async () => {
    await nats?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('when the seed and the client certificate are right', () => {
    it('should connect, provision and publish', async () => {
      const app = await start({ nkeySeed: seed, tls });
      try {
        const report = await app.publisher.publishMany([
          { subject: `${names.subjectPrefix}.facebook`, data: encode('{}'), msgId: 'over-tls' },
        ]);
        expect(report.stored).toBe(1);
      } finally {
        await app.context.close();
      }
    });
  });

  describe('when the seed is another user', () => {
    it('should be refused as an authentication failure', async () => {
      const stranger = new TextDecoder().decode(nkeys.createUser().getSeed());
      await expect(start({ nkeySeed: stranger, tls })).rejects.toMatchObject({
        code: 'MESSAGING.AUTHENTICATION_FAILED',
        message: expect.stringContaining('refused the credentials of an nkey'),
      });
    });
  });

  describe('when no client certificate is given', () => {
    it('should not connect', async () => {
      await expect(start({ nkeySeed: seed, tls: { caFile: tls.caFile } })).rejects.toThrow(ConnectError);
    });
  });
});
