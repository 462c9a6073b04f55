import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SUBGRAPHS } from '../subgraphs/registry.js';

/**
 * No container engine runs here, so the compose file is checked for shape:
 * one service per subgraph plus gateway and PostgreSQL, all from one
 * Dockerfile, health-checked, secrets only by reference.
 */
interface Service {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  secrets?: (string | { source: string; target: string })[];
}

const root = path.resolve(import.meta.dirname, '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
};
const scripts = (
  JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has PostgreSQL, the gateway and one service per subgraph', () => {
    expect(services.postgres?.image).toMatch(/^postgres:/);
    expect(services.gateway).toBeDefined();
    for (const s of SUBGRAPHS)
      expect(services[s.name], `service for subgraph ${s.name}`).toBeDefined();
  });

  it('builds every app service from the one Dockerfile and runs an existing npm script', () => {
    expect(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(/npm ci/);
    for (const [name, svc] of Object.entries(services)) {
      if (name === 'postgres') continue;
      expect(svc.build, name).toBe('.');
      const [npm, run, script] = svc.command ?? [];
      expect([npm, run], name).toEqual(['npm', 'run']);
      expect(scripts[script!], `${name} runs npm script ${script}`).toBeDefined();
    }
  });

  it('runs each subgraph by its registry name through the one subgraph script', () => {
    for (const s of SUBGRAPHS)
      expect(services[s.name]!.command, s.name).toEqual(['npm', 'run', 'subgraph', '--', s.name]);
  });

  it('health-checks every long-running service and orders start-up on health', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (name === 'provision' || name === 'audit-heads') continue;
      expect(svc.healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
    }
    for (const s of SUBGRAPHS) {
      expect(services[s.name]!.depends_on?.provision?.condition).toBe(
        'service_completed_successfully',
      );
      expect(services.gateway!.depends_on?.[s.name]?.condition).toBe('service_healthy');
      expect(
        services.gateway!.environment?.[`SUBGRAPH_URL_${s.name.toUpperCase().replace(/-/g, '_')}`],
      ).toMatch(new RegExp(`^http://${s.name}:\\d+/graphql$`));
    }
  });

  it('takes secrets from the environment or secret files, never literals', () => {
    for (const [name, svc] of Object.entries(services))
      for (const [key, value] of Object.entries(svc.environment ?? {}))
        if (/KEY|PASSWORD|SECRET|KEK/.test(key) && !/_(FILE|DIR)$/.test(key))
          expect(value, `${name}.${key}`).toMatch(/^\$\{[A-Z_]+(:\?[^}]*|:-[^}]*)?\}$/);
    for (const [name, secret] of Object.entries(compose.secrets))
      expect(secret.file, name).toMatch(/^\.\/secrets\//);
  });

  it('#25 gives each subgraph keys and a database login of its own, through secret files only', () => {
    const secretNames = (svc: Service) =>
      new Map(
        (svc.secrets ?? []).map((x) => (typeof x === 'string' ? [x, x] : [x.target, x.source])),
      );
    for (const s of SUBGRAPHS) {
      const svc = services[s.name]!;
      const env = svc.environment ?? {};
      // No key or password in the environment, not even by reference.
      for (const [key, value] of Object.entries(env))
        if (/KEY|PASSWORD|SECRET|KEK/.test(key))
          expect(
            key.endsWith('_FILE') && value.startsWith('/run/secrets/'),
            `${s.name}.${key}`,
          ).toBe(true);
      expect(env.SUBGRAPH_DATABASE_URL, s.name).not.toMatch(/:[^/@]*@/);
      const mounted = secretNames(svc);
      for (const [file, target] of [
        ['CAREFED_KEK_FILE', 'kek'],
        ['CAREFED_INDEX_KEY_FILE', 'index-key'],
        ['SUBGRAPH_DATABASE_PASSWORD_FILE', 'db-password'],
      ] as const) {
        expect(env[file], `${s.name}.${file}`).toBe(`/run/secrets/${target}`);
        expect(mounted.get(target), `${s.name} ${target}`).toBe(`${s.schema}-${target}`);
      }
      // Another subgraph's secrets are not mounted.
      for (const other of SUBGRAPHS.filter((o) => o.name !== s.name))
        for (const source of mounted.values())
          expect(source.startsWith(`${other.schema}-`), `${s.name} mounts ${source}`).toBe(false);
    }
    // Provisioning holds each subgraph's secrets, by the names db:provision looks for.
    const provision = secretNames(services.provision!);
    expect(services.provision!.environment?.CAREFED_SECRETS_DIR).toBe('/run/secrets');
    for (const s of SUBGRAPHS)
      for (const k of ['kek', 'index-key', 'db-password'])
        expect(provision.get(`${s.schema}-${k}`), `provision ${s.schema}-${k}`).toBeDefined();
  });

  it('runs every service in production mode with a subgraph database login of its own', () => {
    for (const [name, svc] of Object.entries(services))
      if (name !== 'postgres') expect(svc.environment?.NODE_ENV).toBe('production');
    for (const s of SUBGRAPHS)
      expect(services[s.name]!.environment?.SUBGRAPH_DATABASE_URL).toMatch(
        new RegExp(`^postgres://carefed_${s.schema}@`),
      );
  });
});
