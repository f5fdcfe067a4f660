import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_ROLES } from './database.roles';
import { declaredGrants, grantStatements, type RoleGrant, type SchemaRelation, TABLE_GRANTS } from './role.grants';
import { isScramSafePassword, scramSha256Verifier } from './scram.verifier';

const schemaTables = [
  ...readFileSync(join(__dirname, '..', '..', 'prisma', 'schema.prisma'), 'utf8').matchAll(/@@map\("([^"]+)"\)/g),
].map(([, table]) => table ?? '');
/** Relations the migrations create outside the Prisma models. */
const OTHER_RELATIONS = ['events_as_received', '_prisma_migrations'];

const allRoles = new Set<string>(Object.values(DATABASE_ROLES));
const table = (name: string): SchemaRelation => ({ name, kind: 'table', owned_by: null });
const grant = (role: string, relation: string, privilege: string): RoleGrant => ({
  role,
  relation,
  kind: 'table',
  privilege,
});

describe('TABLE_GRANTS', () => {
  describe('when compared with the schema', () => {
    it('should list every table of schema.prisma and nothing the migrations do not create', () => {
      expect(schemaTables.length).toBeGreaterThan(10);
      expect(Object.keys(TABLE_GRANTS).sort()).toEqual([...schemaTables, ...OTHER_RELATIONS].sort());
    });

    it('should let the collector write only events, the rollups, the demographics queue and the ingestion counts', () => {
      const written = Object.entries(TABLE_GRANTS)
        .filter(([, grants]) => grants.collector?.some((privilege) => privilege !== 'SELECT'))
        .map(([name]) => name)
        .sort();
      expect(written).toEqual([
        'demographic_pending',
        'event_counts_hour',
        'event_counts_minute',
        'events',
        'ingestion_counts_minute',
        'ingestion_records_seen',
        'revenue_hour',
        'revenue_minute',
      ]);
      for (const grants of Object.values(TABLE_GRANTS)) {
        expect(grants.collector ?? []).not.toContain('DELETE');
        expect(grants.collector ?? []).not.toContain('TRUNCATE');
        expect(grants.indexer ?? []).not.toContain('TRUNCATE');
      }
      expect(TABLE_GRANTS.events?.indexer).toEqual(['SELECT']);
    });
  });
});

describe(declaredGrants, () => {
  describe('when every role exists', () => {
    const relations: SchemaRelation[] = [
      table('events'),
      table('demographic_pending'),
      { name: 'demographic_pending_id_seq', kind: 'sequence', owned_by: 'demographic_pending' },
      { name: 'events_as_received', kind: 'view', owned_by: null },
    ];
    const grants = declaredGrants(relations, allRoles);

    it('should let the reporter SELECT every table and view, and nothing else', () => {
      const reporter = grants.filter((each) => each.role === DATABASE_ROLES.reporter);
      expect(reporter.map((each) => `${each.relation}:${each.privilege}`).sort()).toEqual([
        'demographic_pending:SELECT',
        'events:SELECT',
        'events_as_received:SELECT',
      ]);
    });

    it('should give USAGE on a sequence to the roles that INSERT into its table', () => {
      const sequence = grants.filter((each) => each.kind === 'sequence');
      expect(sequence).toEqual([
        {
          role: DATABASE_ROLES.collector,
          relation: 'demographic_pending_id_seq',
          kind: 'sequence',
          privilege: 'USAGE',
        },
      ]);
    });
  });

  describe('when a role does not exist', () => {
    it('should declare nothing for it', () => {
      const grants = declaredGrants([table('events')], new Set([DATABASE_ROLES.reporter]));
      expect(grants).toEqual([grant(DATABASE_ROLES.reporter, 'events', 'SELECT')]);
    });
  });
});

describe(grantStatements, () => {
  describe('when the current privileges differ from the declared ones', () => {
    it('should grant what is missing and revoke what is not declared, one statement per role and relation', () => {
      const current = [
        grant('evp_collector', 'events', 'INSERT'),
        grant('evp_collector', 'events', 'DELETE'),
        grant('evp_collector', 'events', 'TRUNCATE'),
      ];
      const declared = [
        grant('evp_collector', 'events', 'INSERT'),
        grant('evp_collector', 'events', 'SELECT'),
        grant('evp_reporter', 'events', 'SELECT'),
      ];
      expect(grantStatements(current, declared)).toEqual([
        'GRANT SELECT ON TABLE "events" TO "evp_collector"',
        'GRANT SELECT ON TABLE "events" TO "evp_reporter"',
        'REVOKE DELETE, TRUNCATE ON TABLE "events" FROM "evp_collector"',
      ]);
    });
  });

  describe('when they already match', () => {
    it('should change nothing', () => {
      const grants = [grant('evp_reporter', 'events', 'SELECT')];
      expect(grantStatements(grants, grants)).toEqual([]);
    });
  });
});

describe(scramSha256Verifier, () => {
  describe('when given a salt', () => {
    it('should produce the verifier RFC 7677 defines (checked against an independent implementation)', () => {
      const salt = Buffer.from(Array.from({ length: 16 }, (_, index) => index));
      expect(scramSha256Verifier('pencil', salt)).toBe(
        'SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$zHCdol2044/ZyWzPLi7oxApCkamKw9Z+E4U/QApd/5Y=:dd5peBOitVnLNFu7VmwP+HiDaaw4OUCv396eVCWhYiE=',
      );
    });
  });

  describe('when called twice with the same password', () => {
    it('should salt each verifier differently', () => {
      expect(scramSha256Verifier('pencil')).not.toBe(scramSha256Verifier('pencil'));
    });
  });

  describe('when a password is outside printable ASCII', () => {
    it('should not be hashed here', () => {
      expect(isScramSafePassword('correct horse battery staple')).toBe(true);
      expect(isScramSafePassword('pässword')).toBe(false);
      expect(isScramSafePassword('')).toBe(false);
    });
  });
});
