import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { configJsonSchema, defaultConfig, loadConfig, renderExample } from '../../src/config/index.js';

const EXAMPLE = fileURLToPath(new URL('../../config.yaml.example', import.meta.url));

type JsonNode = { [key: string]: unknown; properties?: Record<string, JsonNode>; items?: JsonNode };

/** Every property node of the JSON Schema, with its dotted path. */
function properties(schema: JsonNode, prefix = ''): [string, JsonNode][] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => [[`${prefix}${key}`, child] as [string, JsonNode], ...properties(child, `${prefix}${key}.`)]);
}

describe('config.yaml.example', () => {
  it('is exactly what renderExample() generates from the schema', () => {
    assert.equal(fs.readFileSync(EXAMPLE, 'utf8'), renderExample(), 'regenerate it: npx tsx -e "import(\'./src/config/index.ts\').then(m => process.stdout.write(m.renderExample()))" > config.yaml.example');
  });

  it('loads without errors when the secrets it references are set', async () => {
    const env = { POSTGRES_PASSWORD: 'pg-password-from-env', REDIS_PASSWORD: 'redis-password-from-env', COOLIFY_ROOT_USER_PASSWORD: 'coolify-password-from-env' };
    const loaded = await loadConfig({ file: EXAMPLE, explicit: true, env, modules: ['baseline', 'postgres', 'redis', 'coolify'] });
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(loaded.secrets.sort(), ['coolify-password-from-env', 'pg-password-from-env', 'redis-password-from-env']);
    const unset = { ...loaded.config, postgres: { ...loaded.config.postgres, roles: [{ name: 'app', password: '' }] }, redis: { ...loaded.config.redis, password: '' }, coolify: { ...loaded.config.coolify, root_user_password: '' } };
    assert.deepEqual(unset, defaultConfig());
  });

  it('loads for a run without postgres and redis with none of their variables set', async () => {
    const loaded = await loadConfig({ file: EXAMPLE, explicit: true, env: {}, modules: ['baseline', 'user', 'security', 'swap', 'updates'] });
    assert.deepEqual(loaded.secrets, []);
  });

  it('shows every key with its description as a comment', () => {
    const text = renderExample();
    for (const [dotted, node] of properties(configJsonSchema() as JsonNode)) {
      const key = dotted.split('.').pop()!;
      assert.match(text, new RegExp(`^ *${key}:`, 'm'), `${dotted} is in the example`);
      const firstWords = String(node.description).split(' ').slice(0, 3).join(' ');
      assert.ok(text.includes(`# ${firstWords}`), `${dotted} has its description`);
    }
  });

  it('shows secrets as environment references and a realistic key as a comment', () => {
    const text = renderExample();
    assert.match(text, /^      password: "\$\{POSTGRES_PASSWORD\}"$/m);
    assert.match(text, /^  password: "\$\{REDIS_PASSWORD\}"$/m);
    assert.match(text, /^# e\.g\. ssh_public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S*\.\.\. you@laptop"$/m);
    assert.match(text, /^ssh_public_key: ""$/m);
  });

  it('quotes values YAML would otherwise read as numbers or times', () => {
    const parsed = parse(renderExample()) as { postgres: { version: unknown }; updates: { automatic_reboot_time: unknown } };
    assert.equal(parsed.postgres.version, '');
    assert.equal(parsed.updates.automatic_reboot_time, '03:00');
    assert.match(renderExample(), /automatic_reboot_time: "03:00"/);
  });
});

describe('configJsonSchema', () => {
  const schema = configJsonSchema() as JsonNode;

  it('is a draft 2020-12 schema with a title', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(schema.title, 'Phanes configuration');
    assert.equal(schema.type, 'object');
  });

  it('gives every key a description and a default, and requires none', () => {
    for (const [dotted, node] of properties(schema)) {
      assert.equal(typeof node.description, 'string', `${dotted} has a description`);
      assert.ok('default' in node, `${dotted} has a default`);
      assert.equal(node.required, undefined, `${dotted} requires nothing`);
    }
    assert.equal(schema.required, undefined);
  });

  it('forbids unknown keys in every mapping', () => {
    assert.equal(schema.additionalProperties, false);
    for (const [dotted, node] of properties(schema)) if (node.type === 'object') assert.equal(node.additionalProperties, false, dotted);
  });

  it('marks secrets x-secret and writeOnly, and only them', () => {
    const secret = properties(schema).filter(([, n]) => n['x-secret'] === true).map(([p]) => p);
    assert.deepEqual(secret, ['user.password_hash', 'redis.password', 'coolify.root_user_password']);
    const role = (schema.properties?.postgres?.properties?.roles?.items as JsonNode | undefined)?.properties?.password;
    assert.equal(role?.['x-secret'], true, 'a role password inside the list is secret too');
    for (const [, n] of properties(schema)) if (n['x-secret']) assert.equal(n.writeOnly, true);
  });

  it('keeps Phanes-only keywords out', () => {
    const text = JSON.stringify(schema);
    assert.doesNotMatch(text, /"(secret|expected|hint|optional)":/);
  });

  it('shows the full defaults of a section', () => {
    assert.deepEqual(schema.properties?.swap?.default, { enabled: true, size: '2G', swappiness: 10, path: '/swapfile' });
  });

  it('is plain JSON', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(schema)), schema);
  });
});
