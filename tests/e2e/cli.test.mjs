// The command line: `otelhouse version`, `--help`, and refusals of bad usage.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runCli } from './lib/gateway.mjs';

test('otelhouse version and --help exit 0', () => {
  const v = runCli(['version']);
  assert.equal(v.code, 0, `stderr: ${v.stderr}`);
  assert.match(v.stdout, /\d+\.\d+\.\d+/);

  const h = runCli(['--help']);
  assert.equal(h.code, 0, `stderr: ${h.stderr}`);
  const help = h.stdout + h.stderr;
  assert.match(help, /usage/i);
  assert.match(help, /\brun\b/);
  assert.match(help, /\bquery\b/);
});

test('otelhouse run refuses an unknown flag with a message and a non-zero exit', () => {
  const r = runCli(['run', '--no-such-flag', '1']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no-such-flag/);
});
