import { type ConnectionOptions, nkeyAuthenticator } from '@nats-io/nats-core';
import type { JetStreamSettings } from './jetstream.settings';

type NatsAuth = JetStreamSettings['auth'];

/** The client options that present the configured identity and TLS files; nothing for an anonymous connection. */
export function natsIdentityOptions(auth: NatsAuth): Partial<ConnectionOptions> {
  const options: Partial<ConnectionOptions> = {};
  if (auth.user !== undefined) {
    options.user = auth.user;
    options.pass = auth.password;
  }
  if (auth.token !== undefined) options.token = auth.token;
  if (auth.nkeySeed !== undefined) options.authenticator = nkeyAuthenticator(new TextEncoder().encode(auth.nkeySeed));
  if (auth.tls !== undefined) options.tls = { ...auth.tls };
  return options;
}

/** Names the identity in an error (never its secret), so a refused connection says which credentials to check. */
export function identityOf(auth: NatsAuth): string {
  if (auth.user !== undefined) return `user ${auth.user}`;
  if (auth.token !== undefined) return 'a token';
  if (auth.nkeySeed !== undefined) return 'an nkey';
  return 'no credentials';
}
